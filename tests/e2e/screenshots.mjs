// Not a test: saves docs/screenshots/{wijk,planning,stuurgroep,buurt,indicators}.png (1440x900)
// and report-page1.png (the first page of the steering report's PDF, via pdftoppm) from a running
// server. Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/screenshots.mjs [outdir]
// With the test accounts (E2E_PASSWORD, see scripts/e2e.sh) also the sign-in page and each role's
// landing view: signin.png, role-{beheerder,veiligheidsteam,wijkregisseur,stuurgroep}.png,
// role-demo.png (the demo visitor), stuurgroep-small.png (the steering group's Wijk view of one
// month, with "< 5"); with BASE_URL_REAL also signin-real.png, signin-error.png and
// session-ended.png from the server with imported data.
import { launch, openDashboard, getJson, waitForMapIdle, renderSeq, signInAs, newPage, submitSignIn, saveShot, ACCOUNTS, PASSWORD, BASE_URL, BASE_URL_REAL } from './lib.mjs';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    ['planning', '?view=planning&layers=hotspots,kde,wijken,cameras&map=6.6600,52.3560,12.85'],
    ['stuurgroep', '?view=stuurgroep'],
    ['buurt', `?view=wijk&wijk=${wijk}&buurt=${buurt}`],
    ['indicators', '?view=indicatoren'],
  ];
  const ready = (page, what) => page.waitForFunction((w) => document.body.dataset[`${w}Status`] === 'ready', what, { timeout: 60000 });
  for (const [name, search] of shots) {
    const { page, context, errors } = await openDashboard(browser, search);
    if (search.includes('buurt=')) await page.locator('.buurt-panel .chart canvas').waitFor();
    if (name === 'planning') {
      for (const w of ['hotspots', 'kde', 'coverage', 'patrol']) await ready(page, w);
      await page.click('#place-run');
      await page.waitForFunction(() => document.body.dataset.placementStatus === 'ready', null, { timeout: 60000 });
    }
    if (name === 'stuurgroep') await ready(page, 'kde');
    if (name === 'indicators') await ready(page, 'indicators');
    const seq = await renderSeq(page);
    await page.evaluate(() => window.wijkveilig.map.triggerRepaint());
    await waitForMapIdle(page, seq - 1);
    await page.screenshot({ path: `${out}/${name}.png` });
    if (errors.length) console.error(name, errors);
    await context.close();
    console.log(`${out}/${name}.png`);
  }
  // The steering report: print to PDF, render page 1.
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, locale: 'nl-NL' });
  const page = await context.newPage();
  const year = meta.periods.last.slice(0, 4);
  await page.goto(`${BASE_URL}/#/rapport?period=${year}`);
  await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
  await page.emulateMedia({ media: 'print' });
  const tmp = mkdtempSync(join(tmpdir(), 'wv-shot-'));
  writeFileSync(join(tmp, 'report.pdf'), await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true }));
  execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', '110', '-png', join(tmp, 'report.pdf'), join(tmp, 'page')]);
  copyFileSync(join(tmp, 'page-1.png'), `${out}/report-page1.png`);
  rmSync(tmp, { recursive: true, force: true });
  await context.close();
  console.log(`${out}/report-page1.png`);
  if (PASSWORD) await roleShots(browser);
} finally {
  await browser.close();
}

/** A screenshot of the page once the map has drawn (lib.mjs saveShot). */
const shot = (s, name) => saveShot(s, out, name);

async function roleShots(browser) {
  const signin = await newPage(browser);
  await signin.page.goto(`${BASE_URL}/#/inloggen`);
  await signin.page.waitForSelector('#signin-form');
  await shot(signin, 'signin');
  await signin.context.close();
  const demo = await openDashboard(browser);
  await shot(demo, 'role-demo');
  await demo.context.close();
  for (const role of Object.keys(ACCOUNTS)) {
    const s = await signInAs(browser, role);
    if (role === 'stuurgroep') await s.page.waitForFunction(() => document.body.dataset.kdeStatus === 'ready', null, { timeout: 60000 });
    await shot(s, `role-${role}`);
    await s.context.close();
  }
  const small = await signInAs(browser, 'stuurgroep', '?view=wijk&from=2023-06&to=2023-06&layers=choropleth,wijken');
  await shot(small, 'stuurgroep-small');
  await small.context.close();
  if (!BASE_URL_REAL) return;
  const real = await newPage(browser, BASE_URL_REAL);
  await real.page.goto(`${BASE_URL_REAL}/?view=wijk`);
  await real.page.waitForSelector('#signin-form');
  await shot(real, 'signin-real');
  await real.page.fill('#signin-user', ACCOUNTS.veiligheidsteam);
  await real.page.fill('#signin-pass', 'not-the-password');
  await real.page.click('#signin-submit');
  await real.page.waitForFunction(() => document.getElementById('signin-error')?.textContent);
  await shot(real, 'signin-error');
  await submitSignIn(real.page, ACCOUNTS.veiligheidsteam);
  await waitForMapIdle(real.page);
  await real.context.clearCookies();
  await real.page.click('input[name=layer][value=heatmap]');
  await real.page.waitForSelector('[data-testid=signin-expired]');
  await shot(real, 'session-ended');
  await real.context.close();
}
