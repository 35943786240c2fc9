// Not a test: measures ms from navigation start to the first rendered choropleth (map idle
// after the first data render; the app marks it as performance mark 'wv-first-map-idle').
// Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/measure-paint.mjs [runs]
import { launch, BASE_URL } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const browser = await launch();
const results = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${BASE_URL}/?view=wijk`);
    await page.waitForFunction(() => performance.getEntriesByName('wv-first-map-idle').length > 0, null, { timeout: 60000 });
    const ms = await page.evaluate(() => performance.getEntriesByName('wv-first-map-idle')[0].startTime);
    if (i > 0) results.push(ms); // the first run warms the server and the disk cache
    await context.close();
  }
} finally {
  await browser.close();
}
results.sort((a, b) => a - b);
const median = results[Math.floor(results.length / 2)];
console.log(`first map paint (navigation → choropleth rendered, map idle), ${results.length} runs: median ${median.toFixed(0)} ms, min ${results[0].toFixed(0)} ms, max ${results[results.length - 1].toFixed(0)} ms`);
