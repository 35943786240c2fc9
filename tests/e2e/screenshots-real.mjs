// Not a test: saves docs/screenshots/real/*.png (1440x900) of the views on the real Almelo data
// (issue #11: yearly figures for one year, the total only, no points), from a running server with
// those files imported and the test accounts (see scripts/e2e.sh, BASE_URL_ALMELO):
//   BASE_URL_ALMELO=http://127.0.0.1:PORT E2E_PASSWORD=… node tests/e2e/screenshots-real.mjs [outdir]
// or with every server of scripts/e2e.sh: scripts/e2e.sh tests/e2e/screenshots-real.mjs
// With BASE_URL_ALMELO_BASEMAP (the same data served with --basemap-style-url BASEMAP_DEAD_URL, a
// closed local port) also basemap-down.png; with BASE_URL_TWENTE the gemeente chooser on Twente
// (twente-*.png); the Almelo server's boundary year 2014 (almelo-2014-*.png); with BASE_URL_MONTHLY
// the monthly table with withheld cells and missing months (monthly-*.png).
import { mkdirSync } from 'node:fs';
import { launch, newPage, signInAs, submitSignIn, waitForMapIdle, saveShot, ready, ACCOUNTS, BASE_URL_ALMELO, BASE_URL_TWENTE, BASE_URL_MONTHLY, SHARED_DATA, BASEMAP_DEAD_URL } from './lib.mjs';
import { monthlyPlan, yearlyTotals } from './real-files.mjs';

const out = process.argv[2] ?? new URL('../../docs/screenshots/real/', import.meta.url).pathname;
if (!BASE_URL_ALMELO) throw new Error('set BASE_URL_ALMELO to a server with the real Almelo data');
mkdirSync(out, { recursive: true });
/** Scrolls the view panel so that `selector` is at its top. */
const scrollPanelTo = (page, selector) => page.evaluate((sel) => {
  const vp = document.getElementById('viewpanel');
  const el = document.querySelector(sel);
  if (vp && el) vp.scrollTop += el.getBoundingClientRect().top - vp.getBoundingClientRect().top;
  window.scrollTo(0, 0);
}, selector);

const shot = (s, name) => saveShot(s, out, name);

const browser = await launch();
try {
  const shots = [
    // the buurt panel: one year of yearly figures, the total only
    ['buurt', '?view=wijk&buurt=BU01411000', async () => undefined],
    // the map with layers that have nothing to draw: the notes say why
    ['wijk-layers', '?view=wijk&layers=choropleth,wijken,heatmap,cameras,enforcement,initiatives', async (page) => page.waitForSelector('[data-testid=legend-heatmap-empty]')],
    // planning: emerging hot spots, density map and coverage on data without points
    ['planning', '?view=planning', async (page) => {
      for (const w of ['emerging', 'kde', 'coverage']) await ready(page, w);
      await scrollPanelTo(page, '[data-section=emerging]');
    }],
    // a new camera: active or planned, and the what-if without incidents
    ['planning-camera', '?view=planning&layers=hotspots,wijken,cameras', async (page) => {
      await ready(page, 'patrol');
      await page.click('#cam-add');
      await page.waitForFunction(() => document.body.dataset.whatifStatus === 'ready');
      await scrollPanelTo(page, '[data-section=edit]');
    }],
    ['stuurgroep', '?view=stuurgroep', async (page) => ready(page, 'kde')],
    ['indicators', '?view=indicatoren', async (page) => {
      await ready(page, 'indicators');
      await page.locator('.ind-card[data-key=offences] details.ind-drill summary').click();
      await page.locator('.ind-card[data-key=offences] [data-testid=bd-total]').waitFor();
      await scrollPanelTo(page, '.ind-card[data-key=offences]');
    }],
  ];
  const planningReady = async (page) => { for (const w of ['hotspots', 'emerging', 'kde', 'coverage']) await ready(page, w); };
  // the scope (issue #11): Almelo's buurten of boundary year 2014 with the figures carried by area,
  // and a crime type the figures lack
  shots.push(
    ['almelo-2014-stuurgroep', '?indeling=2014&view=stuurgroep&layers=choropleth', async (page) => ready(page, 'kde')],
    ['almelo-2014-buurt', '?indeling=2014&view=wijk&buurt=BU01411000', async () => undefined],
    ['types-total-only', '?view=wijk&types=1.1.1', async (page) => page.click('#typefilter summary')],
  );
  const all = shots.map(([name, search, prepare]) => [name, search, prepare, BASE_URL_ALMELO]);
  if (BASE_URL_TWENTE) {
    all.push(
      ['twente-almelo', '?view=wijk', async () => undefined, BASE_URL_TWENTE],
      ['twente-enschede', '?gemeente=GM0153&view=wijk', async () => undefined, BASE_URL_TWENTE],
      ['twente-enschede-planning', '?gemeente=GM0153&view=planning', planningReady, BASE_URL_TWENTE],
      ['twente-alle', '?gemeente=alle&view=stuurgroep&layers=choropleth', async (page) => ready(page, 'kde'), BASE_URL_TWENTE],
    );
  }
  if (BASE_URL_MONTHLY) {
    const plan = monthlyPlan(yearlyTotals(SHARED_DATA));
    all.push(
      ['monthly-missing-months', `?view=wijk&buurt=${plan.partial}`, async (page) => page.locator('.buurt-panel .chart canvas').first().waitFor(), BASE_URL_MONTHLY],
      ['monthly-withheld-cells', `?view=wijk&buurt=${plan.withheldSome[0]}`, async (page) => page.locator('.buurt-panel .chart canvas').first().waitFor(), BASE_URL_MONTHLY],
    );
  }
  for (const [name, search, prepare, base] of all) {
    const s = await signInAs(browser, 'beheerder', search, base);
    if (search.includes('buurt=')) await s.page.locator('.buurt-panel').waitFor();
    await prepare(s.page);
    await shot(s, name);
    await s.context.close();
  }
  // the steering report of 2023, on screen
  const r = await signInAs(browser, 'beheerder', '?view=stuurgroep', BASE_URL_ALMELO);
  await r.page.goto(`${BASE_URL_ALMELO}/?view=stuurgroep#/rapport?period=2023`);
  await r.page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
  await shot(r, 'report');
  await r.context.close();
  const basemap = (process.env.BASE_URL_ALMELO_BASEMAP ?? '').replace(/\/$/, '');
  if (basemap) {
    const s = await newPage(browser, basemap, undefined, BASEMAP_DEAD_URL ? [new URL(BASEMAP_DEAD_URL).origin] : []);
    await s.page.goto(`${basemap}/?view=wijk#/inloggen`);
    await s.page.waitForSelector('#signin-form');
    await submitSignIn(s.page, ACCOUNTS.beheerder);
    await waitForMapIdle(s.page);
    await s.page.getByTestId('map-notes').waitFor();
    s.errors.splice(0, s.errors.length, ...s.errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)));
    await shot(s, 'basemap-down');
    await s.context.close();
  }
} finally {
  await browser.close();
}
