// Not a test: saves docs/screenshots/national/*.png (1440x900) of the map on vector tiles (issue
// #12) with the national coarse 2014 buurten (10,416 after --repair) and Almelo's figures carried
// onto them, at three scales: the country (every gemeente), a province (Overijssel, around
// Almelo) and the gemeente (Almelo). From a running server with those files imported and the test
// accounts (scripts/e2e.sh, BASE_URL_NATIONAL):
//   BASE_URL_NATIONAL=http://127.0.0.1:PORT E2E_PASSWORD=… node tests/e2e/screenshots-national.mjs [outdir]
// or with every server of scripts/e2e.sh: scripts/e2e.sh tests/e2e/screenshots-national.mjs
import { mkdirSync } from 'node:fs';
import { launch, signInAs, waitForMapIdle, saveShot, BASE_URL_NATIONAL } from './lib.mjs';

const out = process.argv[2] ?? new URL('../../docs/screenshots/national/', import.meta.url).pathname;
if (!BASE_URL_NATIONAL) throw new Error('set BASE_URL_NATIONAL to a server with the national 2014 buurten');
mkdirSync(out, { recursive: true });

const browser = await launch();
try {
  const shots = [
    // the country: every gemeente's buurten from the tiles; only Almelo has figures
    ['country', '?view=wijk&gemeente=alle&indeling=2014&layers=choropleth,wijken'],
    // a province: Overijssel around Almelo (the camera in the URL), wijk outlines and names
    ['province', '?view=wijk&gemeente=alle&indeling=2014&layers=choropleth,wijken&map=6.55,52.4,8.6'],
    // the gemeente: Almelo's buurten in their classes, its neighbours' outlined without figures
    ['gemeente', '?view=wijk&gemeente=GM0141&indeling=2014&layers=choropleth,wijken&map=6.66,52.35,10.6'],
  ];
  for (const [name, search] of shots) {
    const s = await signInAs(browser, 'veiligheidsteam', search, BASE_URL_NATIONAL);
    try {
      await waitForMapIdle(s.page);
      await s.page.evaluate(() => window.wijkveilig.idle());
      await saveShot(s, out, name);
    } finally { await s.context.close(); }
  }
} finally {
  await browser.close();
}
