// Real data as it really comes (issue #11), in the browser: the real Almelo files (CBS 47018NED:
// one year, yearly, the total only; no incident points, cameras, enforcement or initiatives), the
// synthetic town with yearly figures only (two years), and a basemap that cannot be reached. Every
// view says in a Dutch sentence why something is empty; nothing is a blank chart, a blank map or
// a red error; a trend per year is drawn from the API's figures per year.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, newPage, signInAs, pageQuery, submitSignIn, waitForMapIdle, apiSession, nlInt, ready, notes, redErrors, refusedAfterSignIn, assertChoroplethDrawn,
  ACCOUNTS, BASE_URL_ALMELO, BASE_URL_YEARLY, BASE_URL_BASEMAP, BASEMAP_DEAD_URL, PASSWORD,
} from './lib.mjs';

const noAccounts = !PASSWORD && 'no test accounts (run with scripts/e2e.sh)';
const noAlmelo = noAccounts || (!BASE_URL_ALMELO && 'no real Almelo data: ../shared/data is absent (scripts/e2e.sh starts BASE_URL_ALMELO only with it)');
const noYearly = noAccounts || (!BASE_URL_YEARLY && 'no yearly-only server (run with scripts/e2e.sh)');
const noBasemap = noAccounts || (!BASE_URL_BASEMAP && 'no server with an unreachable basemap (run with scripts/e2e.sh)');

// The sentences the views must show (frontend/src/i18n.ts).
const S = {
  oneYear: 'Alleen jaarcijfers voor 2023: een trend vraagt minstens twee jaren.',
  totalOnly: 'Alleen het totaal: de gegevens hebben geen uitsplitsing naar soort misdrijf.',
  kdeNoFile: 'Geen incidentlocaties geladen: de dichtheidskaart vraagt een incidentenbestand (wijkveilig import incidents).',
  heatNoFile: 'Geen incidentlocaties geladen: de heatmap vraagt een incidentenbestand (wijkveilig import incidents).',
  covNoFile: 'Geen incidentlocaties geladen, dus geen cameradekking: die telt de incidenten in camerabeeld (wijkveilig import incidents).',
  patrolNoFile: 'Geen incidentlocaties geladen: de surveillancelijst vraagt incidenten met plaats en tijdstip (wijkveilig import incidents).',
  placeNoFile: 'Geen incidentlocaties geladen: de suggesties zoeken de plekken met de meeste incidenten buiten camerabeeld (wijkveilig import incidents).',
  wiNone: 'Zonder incidentlocaties in deze periode is er geen dekking te berekenen; de camera kan wel worden opgeslagen.',
  camNone: 'Geen camera’s vastgelegd (wijkveilig import cameras, of “+ Camera toevoegen” in Planning).',
  iniNone: 'Geen buurtpreventie-initiatieven geladen (wijkveilig import initiatives).',
  enfNone: 'Geen handhavingsacties geladen (wijkveilig import enforcement).',
  noPrev: 'Geen cijfers over de vorige periode',
  hint: 'Zet “Buurten (kaartwaarde)” aan om de misdrijven per buurt te zien.',
  basemap: 'De achtergrondkaart is niet bereikbaar; de kaart toont alleen de buurten.',
  sparkOneYear: 'Alleen 2023: een trend vraagt minstens twee jaren.',
};

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A number as the CSV writes it: decimal comma, no grouping. */
const csvNumber = (n) => String(n).replace('.', ',');

test('real Almelo, buurt panel: one year of yearly figures is a sentence, not an empty chart; the total only; the CSV in the Dutch convention', { skip: noAlmelo }, async () => {
  const api = await apiSession('veiligheidsteam', BASE_URL_ALMELO);
  const meta = await api.get('/api/meta');
  assert.equal(meta.periods.monthly, false, 'Almelo has yearly figures only');
  const d = await api.get('/api/areas/BU01411000');
  assert.deepEqual(d.monthly, [], 'the API has no months for yearly data');
  const { page, context, errors, refused } = await signInAs(browser, 'veiligheidsteam', '?view=wijk&buurt=BU01411000', BASE_URL_ALMELO);
  try {
    const panel = page.locator('.buurt-panel[data-code="BU01411000"]');
    await panel.waitFor();
    assert.equal(await page.getByTestId('panel-count').innerText(), nlInt(d.figures.count));
    assert.equal(await panel.locator('h3').first().innerText(), 'Per jaar (alle jaren in de gegevens)');
    assert.equal(await panel.getByTestId('trend-empty').innerText(), S.oneYear);
    assert.equal(await panel.locator('.chart').count(), 0, 'no empty chart');
    assert.equal(await panel.getByTestId('by-type-none').innerText(), S.totalOnly);
    assert.match(await page.getByTestId('panel-change').locator('..').innerText(), /Vorige periode: geen gegevens/);
    assert.equal(await panel.getByTestId('panel-enforcement-none').innerText(), S.enfNone);
    // the period control knows there is one year
    assert.equal(await page.getByTestId('period-yearly').innerText(), 'Alleen jaarcijfers voor 2023: de periode is dat hele jaar.');
    assert.equal(await page.locator('#from-out').innerText(), '2023');
    // the CSV: BOM, CRLF, ;, decimal comma
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeffsectie;sleutel;waarde;waarde_vorig_jaar\r\n'));
    const lines = csv.split('\r\n');
    assert.ok(lines.every((l) => !l.includes('\n') && !l.includes('\r')), 'CRLF line ends only');
    assert.ok(lines.includes(`kerncijfers;aantal;${d.figures.count};`));
    assert.ok(lines.includes(`kerncijfers;per_1000_inwoners;${csvNumber(d.figures.rate_per_1000)};`), 'decimal comma');
    assert.ok(lines.includes('kerncijfers;vorige_periode;;'), 'no previous year: empty, not 0');
    assert.deepEqual(await redErrors(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused), []);
  } finally { await context.close(); }
});

test('yearly-only data: the panel draws the trend per year from the API, the CSV has the years, the period moves by year', { skip: noYearly }, async () => {
  const api = await apiSession('veiligheidsteam', BASE_URL_YEARLY);
  const meta = await api.get('/api/meta');
  assert.equal(meta.periods.monthly, false);
  const y2018 = await api.get('/api/areas?level=buurt&from=2018-01&to=2018-12');
  const code = y2018.features.map((f) => f.properties).filter((p) => p.count != null).sort((a, b) => b.count - a.count)[0].code;
  const per = {};
  for (const y of [2017, 2018]) per[y] = (await api.get(`/api/areas/${code}?from=${y}-01&to=${y}-12`)).figures.count;
  assert.ok(per[2017] != null && per[2018] != null, 'the synthetic town has both years');
  const { page, context, errors, refused } = await signInAs(browser, 'veiligheidsteam', `?view=wijk&buurt=${code}`, BASE_URL_YEARLY);
  try {
    const chart = page.locator(`.buurt-panel[data-code="${code}"] .chart[data-trend=yearly]`);
    await chart.locator('canvas').first().waitFor();
    assert.equal(await chart.getAttribute('data-years'), '2017,2018');
    // the years plain, the counts in nl-NL, as the API has them
    assert.equal(await chart.getAttribute('aria-label'), `Per jaar (alle jaren in de gegevens): 2017 ${nlInt(per[2017])}; 2018 ${nlInt(per[2018])}`);
    assert.equal(await page.locator('.buurt-panel [data-testid=trend-empty]').count(), 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const lines = readFileSync(await download.path(), 'utf8').split('\r\n');
    assert.ok(lines.includes(`per_jaar;2017;${per[2017]};`) && lines.includes(`per_jaar;2018;${per[2018]};`), 'a row per year');
    // the sliders hold years
    assert.equal(await page.locator('#from').getAttribute('min'), '2017');
    assert.equal(await page.locator('#to').getAttribute('max'), '2018');
    assert.equal(await page.getByTestId('period-yearly').innerText(), 'Alleen jaarcijfers: de periode loopt per heel jaar.');
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused), []);
  } finally { await context.close(); }
});

for (const [name, base, skip] of [['real Almelo', BASE_URL_ALMELO, noAlmelo], ['the yearly synthetic town', BASE_URL_YEARLY, noYearly]]) {
  test(`emerging hot spots on ${name}: the server's reason in Dutch in place of the list, never a red error`, { skip }, async () => {
    const { page, context, errors } = await signInAs(browser, 'veiligheidsteam', '?view=planning&layers=hotspots,emerging,wijken', base);
    try {
      await ready(page, 'emerging');
      // what the server says for the page's selection
      const q = await pageQuery(page);
      const res = await (await apiSession('veiligheidsteam', base)).fetch(`/api/hotspots/emerging?step=year&from=${q.from}&to=${q.to}&types=${q.types}`);
      assert.equal(res.status, 400, 'too few years: the server says so');
      const [, n, range] = /the selection has (\d+) \(([^)]*)\)/.exec((await res.json()).message);
      const section = page.locator('[data-section=emerging]');
      const sentence = `Opkomende hotspots vragen minstens 3 jaren aan cijfers; deze selectie heeft er ${n} (${range}). Kies een langere periode of importeer meer jaren (wijkveilig import offences).`;
      assert.equal(await section.getByTestId('emerging-refusal').innerText(), sentence);
      assert.equal(await section.locator('.error, [role=alert]').count(), 0, 'no red error');
      assert.equal(await page.locator('#em-step').inputValue(), 'year');
      assert.equal(await page.locator('#em-step option[value=month]').isDisabled(), true, 'no months to step through');
      assert.match(await page.getByTestId('legend-emerging').innerText(), /minstens 3 jaren/);
      assert.ok((await notes(page)).includes(sentence), 'the map says why the layer is empty');
      assert.deepEqual(await redErrors(page), []);
      assert.deepEqual(errors, []);
    } finally { await context.close(); }
  });
}

test('real Almelo: every view says why it is empty where it is (map, layers, planning, stuurgroep, indicators, report)', { skip: noAlmelo }, async () => {
  const { page, context, errors, refused } = await signInAs(browser, 'beheerder', '?view=wijk', BASE_URL_ALMELO);
  const switchTo = async (v) => { await page.click(`#tab-${v}`); await page.waitForFunction((x) => new URL(location.href).searchParams.get('view') === x, v); };
  try {
    // the map: drawn, and its notes on the layers that are on without data
    await assertChoroplethDrawn(page, 'wijk view');
    assert.deepEqual(await notes(page), [S.camNone, S.iniNone]);
    await page.click('input[name=layer][value=heatmap]');
    await page.waitForFunction(() => document.querySelector('[data-testid=legend-heatmap-empty]'));
    assert.equal(await page.getByTestId('legend-heatmap-empty').innerText(), S.heatNoFile);
    assert.ok((await notes(page)).includes(S.heatNoFile));
    await page.click('input[name=layer][value=heatmap]');

    // planning: every section that needs incident points says so
    await switchTo('planning');
    for (const w of ['hotspots', 'kde', 'coverage', 'patrol']) await ready(page, w);
    const sec = (s) => page.locator(`[data-section=${s}]`);
    assert.ok((await sec('kde').innerText()).includes(S.kdeNoFile));
    assert.equal(await sec('kde').getByTestId('kde-info').count(), 0, 'no "0 incidents · max 0"');
    assert.ok((await sec('coverage').innerText()).includes(S.covNoFile));
    assert.equal(await page.getByTestId('cov-incidents').count(), 0, 'no 0,0% of 0');
    assert.ok(await page.getByTestId('uncovered').locator('li').count() > 0, 'the hot buurten without a camera come from the figures');
    assert.ok((await sec('patrol').innerText()).includes(S.patrolNoFile));
    assert.equal(await page.locator('#patrol-csv, #patrol-print').count(), 0, 'nothing to print or export');
    assert.equal(await page.getByTestId('legend-kde-empty').innerText(), S.kdeNoFile);
    assert.ok((await notes(page)).includes(S.kdeNoFile));
    await page.click('#place-run');
    await ready(page, 'placement');
    assert.ok((await sec('placement').innerText()).includes(S.placeNoFile));
    // the what-if of a new camera without incidents
    await page.click('#cam-add');
    await page.waitForFunction(() => document.body.dataset.whatifStatus === 'ready');
    assert.equal(await page.getByTestId('wi-none').innerText(), S.wiNone);
    await page.click('#cam-cancel');
    assert.deepEqual(await redErrors(page), []);

    // stuurgroep: the headline says what it lacks; the empty density map says why, and what to switch on
    await switchTo('stuurgroep');
    await ready(page, 'kde');
    assert.ok((await page.getByTestId('head-change').locator('..').innerText()).includes(S.noPrev));
    assert.ok((await page.getByTestId('head-enf').locator('..').innerText()).includes(S.enfNone));
    assert.deepEqual(await notes(page), [S.kdeNoFile, S.hint]);

    // indicators: one year of offences is a point with a sentence; years plain, never 2.023
    await switchTo('indicatoren');
    await ready(page, 'indicators');
    const card = page.locator('.ind-card[data-key=offences]');
    assert.equal(await card.getByTestId('spark-one-year').innerText(), S.sparkOneYear);
    assert.equal(await card.locator('svg.spark text').first().textContent(), '2023');
    await card.locator('details.ind-drill summary').click();
    await card.getByTestId('bd-total').waitFor();
    assert.match(await card.getByTestId('bd-total').innerText(), /· 2023: /);
    assert.doesNotMatch(await page.locator('#viewpanel').innerText(), /\b2\.0[0-3]\d\b/, 'no year printed as 2.023');
    assert.deepEqual(await redErrors(page), []);

    // the steering report: whole years only, and the empty density map says why
    await page.goto(`${BASE_URL_ALMELO}/?view=stuurgroep#/rapport?period=2023`);
    await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.deepEqual(await page.locator('#rap-period option').evaluateAll((os) => os.map((o) => o.value)), ['2023'], 'no half-years without months');
    assert.equal(await page.getByTestId('r-kde-empty').innerText(), S.kdeNoFile);
    assert.equal(await page.getByTestId('r-cov-empty').innerText(), S.covNoFile);
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused).filter((r) => !r.endsWith('/api/hotspots/emerging')), []);
  } finally { await context.close(); }
});

test('an unreachable basemap: the plain map with the buurten and a note, not a blank map', { skip: noBasemap }, async () => {
  const dead = new URL(BASEMAP_DEAD_URL);
  const api = await apiSession('veiligheidsteam', BASE_URL_BASEMAP);
  assert.equal((await api.get('/api/meta')).basemap_style_url, BASEMAP_DEAD_URL);
  // the page may try the closed port (not blocked as another origin would be)
  const { page, context, errors } = await newPage(browser, BASE_URL_BASEMAP, undefined, [dead.origin]);
  const asked = [];
  page.on('request', (r) => { if (r.url().startsWith(dead.origin)) asked.push(r.url()); });
  try {
    await page.goto(`${BASE_URL_BASEMAP}/?view=wijk#/inloggen`);
    await page.waitForSelector('#signin-form');
    await submitSignIn(page, ACCOUNTS.veiligheidsteam);
    await waitForMapIdle(page);
    await page.getByTestId('map-notes').locator('li', { hasText: S.basemap }).waitFor();
    assert.ok(asked.includes(BASEMAP_DEAD_URL), `the map asked for the basemap's style (${asked})`);
    await assertChoroplethDrawn(page, 'the map without its basemap');
    // the browser's own line about the refused connection is the only console error
    assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
  } finally { await context.close(); }
});
