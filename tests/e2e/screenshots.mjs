// Not a test: saves docs/screenshots/{wijk,planning,stuurgroep,buurt}.png (1440x900) from a running
// server. Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/screenshots.mjs [outdir]
import { launch, openDashboard, getJson, waitForMapIdle, renderSeq } from './lib.mjs';
import { mkdirSync } from 'node:fs';

const out = process.argv[2] ?? new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const meta = await getJson('/api/meta');
const browser = await launch();
try {
  // Wijk: a district director looking at the biggest wijk, one buurt opened.
  const { default_range: r } = meta;
  const wijken = await getJson(`/api/areas?level=wijk&from=${r.from}&to=${r.to}`);
  const wijk = [...wijken.features].sort((a, b) => (b.properties.count ?? 0) - (a.properties.count ?? 0))[0].properties.code;
  const buurten = await getJson(`/api/areas?level=buurt&from=${r.from}&to=${r.to}&wijk=${wijk}`);
  const buurt = [...buurten.features].sort((a, b) => (b.properties.count ?? 0) - (a.properties.count ?? 0))[0].properties.code;
  const shots = [
    ['wijk', `?view=wijk&wijk=${wijk}`],
    ['planning', '?view=planning&metric=rate'],
    ['stuurgroep', '?view=stuurgroep'],
    ['buurt', `?view=wijk&wijk=${wijk}&buurt=${buurt}`],
  ];
  for (const [name, search] of shots) {
    const { page, context, errors } = await openDashboard(browser, search);
    if (search.includes('buurt=')) await page.locator('.buurt-panel .chart canvas').waitFor();
    const seq = await renderSeq(page);
    await page.evaluate(() => window.wijkveilig.map.triggerRepaint());
    await waitForMapIdle(page, seq - 1);
    await page.screenshot({ path: `${out}/${name}.png` });
    if (errors.length) console.error(name, errors);
    await context.close();
    console.log(`${out}/${name}.png`);
  }
} finally {
  await browser.close();
}
