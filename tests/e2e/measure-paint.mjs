// Not a test: measures, from navigation start, two moments of the first map render of the wijk
// view, as the app marks them:
//  - 'wv-first-map-paint': the first map frame that draws the buurt choropleth (the 'render' event
//    after the buurt tiles have loaded, with rendered features of the buurt-fill layer that have
//    their figures' colour as feature-state);
//  - 'wv-first-map-idle': the map idle after the first data render (everything drawn).
// Each run is a fresh browser context (nothing cached); the first run only warms the server.
// The viewport is 1440×900.
//
// Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/measure-paint.mjs [runs] [search]
//   search: the page's query string (default `?view=wijk`), e.g. '?view=wijk&gemeente=alle&indeling=2014'
//   for the national 2014 set (without `indeling=` the page shows the newest boundary year; the
//   output names the year, the zoom and how many buurten the loaded tiles hold).
//   With WV_USER=NAME and E2E_PASSWORD, each context signs in as NAME first (a server with real
//   data asks for an account), as a returning user: the browser's "signed in before" hint is set,
//   so the page asks for its data at once (src/boot.ts).
import { describeView, launch, measuredPage, BASE_URL } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const search = process.argv[3] ?? '?view=wijk';
const user = process.env.WV_USER ?? '';
const marks = ['wv-first-map-paint', 'wv-first-map-idle'];
const browser = await launch();
const results = Object.fromEntries(marks.map((m) => [m, []]));
let view = '';
try {
  for (let i = 0; i < runs + 1; i++) {
    const { context, page } = await measuredPage(browser, search, user);
    await page.waitForFunction((ms) => ms.every((m) => performance.getEntriesByName(m).length > 0), marks, { timeout: 120000 });
    const t = await page.evaluate((ms) => ms.map((m) => performance.getEntriesByName(m)[0].startTime), marks);
    if (i > 0) marks.forEach((m, k) => results[m].push(t[k])); // the first run warms the server and the disk cache
    if (i === 0) view = await describeView(page);
    await context.close();
  }
} finally {
  await browser.close();
}
const label = { 'wv-first-map-paint': 'first map paint (navigation → first frame with the choropleth)', 'wv-first-map-idle': 'first map idle  (navigation → map idle after the first data render)' };
console.log(`${BASE_URL}/${search}${user ? ` as ${user}` : ''}, 1440×900: ${view}`);
for (const m of marks) {
  const r = results[m].sort((a, b) => a - b);
  const median = r[Math.floor(r.length / 2)];
  console.log(`${label[m]}, ${r.length} runs: median ${median.toFixed(0)} ms, min ${r[0].toFixed(0)} ms, max ${r[r.length - 1].toFixed(0)} ms`);
}
