// Not a test: measures, from navigation start, two moments of the first map render of the wijk
// view, as the app marks them:
//  - 'wv-first-map-paint': the first map frame that draws the buurt choropleth (the 'render' event
//    after the buurten source has loaded, with features of the buurt-fill layer rendered);
//  - 'wv-first-map-idle': the map idle after the first data render (everything drawn).
// Each run is a fresh browser context (nothing cached); the first run only warms the server.
// Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/measure-paint.mjs [runs]
import { launch, BASE_URL } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const marks = ['wv-first-map-paint', 'wv-first-map-idle'];
const browser = await launch();
const results = Object.fromEntries(marks.map((m) => [m, []]));
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${BASE_URL}/?view=wijk`);
    await page.waitForFunction((ms) => ms.every((m) => performance.getEntriesByName(m).length > 0), marks, { timeout: 60000 });
    const t = await page.evaluate((ms) => ms.map((m) => performance.getEntriesByName(m)[0].startTime), marks);
    if (i > 0) marks.forEach((m, k) => results[m].push(t[k])); // the first run warms the server and the disk cache
    await context.close();
  }
} finally {
  await browser.close();
}
const label = { 'wv-first-map-paint': 'first map paint (navigation → first frame with the choropleth)', 'wv-first-map-idle': 'first map idle  (navigation → map idle after the first data render)' };
for (const m of marks) {
  const r = results[m].sort((a, b) => a - b);
  const median = r[Math.floor(r.length / 2)];
  console.log(`${label[m]}, ${r.length} runs: median ${median.toFixed(0)} ms, min ${r[0].toFixed(0)} ms, max ${r[r.length - 1].toFixed(0)} ms`);
}
