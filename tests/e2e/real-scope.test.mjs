// The scope on real data (issue #11), in the browser: which gemeente and which CBS boundary year the
// dashboard shows, figures carried from another boundary year ("geschat"), crime types the figures
// do not hold, and a monthly table with withheld cells and missing months. Three servers (see
// scripts/e2e.sh): Twente's 517 buurten with Almelo's figures only (BASE_URL_TWENTE), Almelo in
// boundary years 2021 and 2014 (BASE_URL_ALMELO, the server real-data.test.mjs uses too), and
// Almelo's yearly totals spread over the months of 2023 (BASE_URL_MONTHLY, tests/e2e/real-files.mjs).
// Every view says in a sentence why something is empty; no figure that is missing reads as 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signInAs, waitForMapIdle, apiSession, sampleBuurtColours, nlInt, ready, notes, redErrors, refusedAfterSignIn, assertChoroplethDrawn,
  BASE_URL_ALMELO, BASE_URL_TWENTE, BASE_URL_MONTHLY, SHARED_DATA, PASSWORD,
} from './lib.mjs';
import { monthlyPlan, yearlyTotals } from './real-files.mjs';

const noAccounts = !PASSWORD && 'no test accounts (run with scripts/e2e.sh)';
const why = (base, name) => noAccounts || (!base && `no ${name} server: ../shared/data is absent (scripts/e2e.sh starts it only with the real data)`);
const noTwente = why(BASE_URL_TWENTE, 'Twente');
const noAlmelo = why(BASE_URL_ALMELO, 'real Almelo');
const noMonthly = why(BASE_URL_MONTHLY, 'monthly Almelo');

// The sentences the views must show (frontend/src/i18n.ts).
const S = {
  choroplethNone: (g) => `Geen misdrijfcijfers voor ${g} in deze periode: de buurten zijn grijs (geen gegevens), niet 0.`,
  headNone: (g) => `Geen misdrijfcijfers voor ${g} in deze periode en bij deze soorten misdrijf.`,
  hsNoFigures: (g) => `Geen misdrijfcijfers voor ${g} in deze periode: er is niets om hotspots in te zoeken.`,
  covNoFile: 'Geen incidentlocaties geladen, dus geen cameradekking: die telt de incidenten in camerabeeld (wijkveilig import incidents).',
  kdeNoFile: 'Geen incidentlocaties geladen: de dichtheidskaart vraagt een incidentenbestand (wijkveilig import incidents).',
  patrolNoFile: 'Geen incidentlocaties geladen: de surveillancelijst vraagt incidenten met plaats en tijdstip (wijkveilig import incidents).',
  wijkenNone: (g) => `Geen wijkgrenzen geladen voor ${g} (wijkveilig import areas, met de wijken); de buurten zijn er wel.`,
  indPick: 'De indicatoren gelden per gemeente: kies hierboven een gemeente om ze te zien.',
  missing: (code, shown) => `De link vraagt om gemeente ${code}, maar die staat niet in de gegevens; getoond wordt ${shown}.`,
  estShort: 'geschat (oppervlakte)',
  estLong: 'Geschat: cijfers van een andere buurtindeling, verdeeld naar oppervlakte.',
  estLegend: 'geschat: cijfers van een andere buurtindeling, verdeeld naar oppervlakte',
  typesTotalOnly: 'Deze misdrijfcijfers bevatten alleen het totaal, niet per soort misdrijf: kies “Alle misdrijven” om de buurten te kleuren.',
  byTypeTotalOnly: 'Alleen het totaal: de gegevens hebben geen uitsplitsing naar soort misdrijf.',
  monthsMissing: (ms) => `Geen cijfers voor ${ms}: het cijfer over deze periode is onvolledig.`,
  monthsWithheld: (ms) => `Afgeschermd door CBS (niet meegeteld): ${ms}.`,
  partial: (n) => `onvolledig: ${n} maanden zonder cijfers`,
  hsExcluded: (n) => `${n} buurten zonder cijfers blijven buiten de analyse (geen gegevens: ${n}); ze tellen niet als 0.`,
  withheldCells: (n) => `${n} cellen afgeschermd (niet meegeteld)`,
  withheld: 'geheim/afgeschermd',
  noData: 'geen gegevens',
};
/** The feature-state class of a buurt with figures but no value, and of a withheld one (frontend/src/figures.ts). */
const CLS_NO_VALUE = -2, CLS_WITHHELD = -1;
const month = (m) => new Intl.DateTimeFormat('nl-NL', { month: 'short', year: 'numeric' }).format(new Date(`${m}-01T00:00:00Z`));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The endpoints that take the scope (frontend/openapi.json: SelectionParams, ScopeParams). */
const SCOPED = /^\/api\/(meta|areas|hotspots|kde|coverage|patrol|incidents|enforcement|report|planning\/placement)(\/|\.csv|$)/;
/** Every request to a scoped endpoint from now on, as URL objects. */
function scopedRequests(page, base) {
  const urls = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(`${base}/api/`)) return;
    const u = new URL(r.url());
    if (SCOPED.test(u.pathname)) urls.push(u);
  });
  return urls;
}
/** The requests that did not name the scope `param=value`. */
const unscoped = (urls, param, value) => urls.filter((u) => u.searchParams.get(param) !== value).map((u) => `${u.pathname}${u.search}`);

/** The buurt table: code, the count cell's text and its estimate method. */
const tableRows = (page) => page.$$eval('#buurt-table tbody tr', (rows) => rows.map((r) => {
  const td = r.querySelector('td[data-col=count]');
  return { code: r.dataset.code, count: td.textContent, estimated: td.dataset.estimated ?? null, title: td.title };
}));

async function switchTo(page, view) {
  await page.click(`#tab-${view}`);
  await page.waitForFunction((x) => new URL(location.href).searchParams.get('view') === x, view);
}

/** Types a gemeente into the header's chooser; resolves once the dashboard has loaded for it. */
async function chooseGemeente(page, text, code) {
  await page.fill('#gemeente-input', text);
  await Promise.all([
    page.waitForURL((u) => new URL(u).searchParams.get('gemeente') === code, { timeout: 30000 }),
    page.press('#gemeente-input', 'Enter'),
  ]);
  await waitForMapIdle(page);
}

/** Whether the map's view holds the bbox and is not much larger than it (it was fitted to it). */
const fitted = (page, bbox) => page.evaluate((b) => {
  const m = window.wijkveilig.map.getBounds();
  const [w, s, e, n] = [m.getWest(), m.getSouth(), m.getEast(), m.getNorth()];
  const holds = w <= b[0] + 1e-3 && s <= b[1] + 1e-3 && e >= b[2] - 1e-3 && n >= b[3] - 1e-3;
  const tight = (e - w) < 4 * (b[2] - b[0]) && (n - s) < 4 * (b[3] - b[1]);
  return holds && tight;
}, bbox);

test('Twente with Almelo\'s figures: the chooser lists the 14 gemeenten, Enschede is "geen gegevens" with a sentence, never 0; all gemeenten are 517 buurten', { skip: noTwente }, async () => {
  const base = BASE_URL_TWENTE;
  const api = await apiSession('beheerder', base);
  const meta = await api.get('/api/meta');
  assert.equal(meta.gemeenten.length, 14);
  assert.equal(meta.gemeente.code, 'GM0141', 'the default is the gemeente with the figures');
  assert.deepEqual(meta.boundary_years, [2021]);
  const enschede = meta.gemeenten.find((g) => g.name === 'Enschede');
  const metaE = await api.get(`/api/meta?gemeente=${enschede.code}`);
  const period = `from=${meta.default_range.from}&to=${meta.default_range.to}&types=0.0.0`;
  const areasE = await api.get(`/api/areas?level=buurt&${period}&gemeente=${enschede.code}`);
  const areasAll = await api.get(`/api/areas?level=buurt&${period}&gemeente=alle`);
  assert.equal(areasAll.features.length, 517);

  const { page, context, errors, refused } = await signInAs(browser, 'beheerder', '?view=wijk', base);
  try {
    // Almelo, the default: its name in the header, the chooser with every gemeente, no year to choose
    assert.equal(await page.getByTestId('brand-name').innerText(), 'wijkveilig · Gemeente Almelo');
    assert.equal(await page.locator('#gemeente-input').inputValue(), 'Almelo');
    const options = await page.locator('#gemeente-list option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(options, ['Alle gemeenten', ...meta.gemeenten.map((g) => g.name).sort((a, b) => a.localeCompare(b, 'nl'))]);
    assert.equal(await page.locator('#indeling-select').count(), 0, 'one boundary year: nothing to choose');
    await assertChoroplethDrawn(page, 'Almelo in Twente');
    assert.equal((await tableRows(page)).length, 71);

    // a link to a gemeente the data lacks: the default, and a sentence saying so
    await page.goto(`${base}/?gemeente=GM9999&view=wijk`);
    await waitForMapIdle(page);
    assert.ok((await notes(page)).includes(S.missing('GM9999', 'Almelo')), String(await notes(page)));
    assert.equal(new URL(page.url()).searchParams.get('gemeente'), null, 'the URL no longer names it');
    assert.equal(await page.locator('#gemeente-input').inputValue(), 'Almelo');

    // Enschede: every buurt "geen gegevens", grey, with the sentence; nothing reads 0
    const urls = scopedRequests(page, base);
    await chooseGemeente(page, 'Enschede', enschede.code);
    assert.equal(await page.getByTestId('brand-name').innerText(), 'wijkveilig · Gemeente Enschede');
    assert.equal(await page.locator('#gemeente-input').inputValue(), 'Enschede');
    assert.ok(await fitted(page, metaE.gemeente.bbox), 'the map fits Enschede');
    const rows = await tableRows(page);
    assert.equal(rows.length, areasE.features.length);
    assert.deepEqual([...new Set(rows.map((r) => r.count))], [S.noData], 'every buurt: geen gegevens, never 0');
    // the tiles hold every gemeente's buurten: Enschede's in the no-data class, its neighbours' without figures at all
    const codesE = new Set(areasE.features.map((f) => f.properties.code));
    const sampled = (await sampleBuurtColours(page)).filter((x) => x.samples >= 3);
    const samples = sampled.filter((x) => codesE.has(x.code));
    assert.ok(samples.length >= 30, `buurten sampled on the map (${samples.length})`);
    assert.ok(samples.every((x) => x.cls === CLS_NO_VALUE), 'every buurt in the no-data class');
    assert.ok(sampled.filter((x) => !codesE.has(x.code)).every((x) => x.cls === undefined && x.colour === undefined), 'the other gemeenten\'s buurten are drawn without figures');
    assert.ok((await notes(page)).includes(S.choroplethNone('Enschede')));
    assert.ok((await notes(page)).includes(S.wijkenNone('Enschede')), 'no wijk polygons in the Twente file: said, not a blank layer');

    // planning: Gi* has nothing to work on, and says so (not a red error)
    await switchTo(page, 'planning');
    for (const w of ['hotspots', 'emerging', 'kde', 'coverage', 'patrol']) await ready(page, w);
    const sec = (s) => page.locator(`[data-section=${s}]`);
    assert.ok((await sec('hotspots').innerText()).includes(S.hsNoFigures('Enschede')));
    assert.ok((await sec('coverage').innerText()).includes(S.hsNoFigures('Enschede')));
    assert.ok((await sec('coverage').innerText()).includes(S.covNoFile));
    assert.ok((await sec('kde').innerText()).includes(S.kdeNoFile));
    assert.ok((await sec('patrol').innerText()).includes(S.patrolNoFile));
    assert.match(await sec('emerging').getByTestId('emerging-refusal').innerText(), /^Opkomende hotspots vragen minstens 3 jaren/);
    assert.deepEqual(await redErrors(page), []);

    // stuurgroep: no figure, not 0
    await switchTo(page, 'stuurgroep');
    await ready(page, 'kde');
    assert.equal(await page.getByTestId('head-total').innerText(), S.noData);
    assert.ok((await page.getByTestId('head-total').locator('..').innerText()).includes(S.headNone('Enschede')));

    // indicators: Enschede's own (asked with its code), without a red error
    const ind = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/indicators');
    await switchTo(page, 'indicatoren');
    assert.equal(new URL((await ind).url()).searchParams.get('area'), enschede.code);
    await ready(page, 'indicators');
    const offences = page.locator('.ind-card[data-key=offences]');
    assert.equal(await offences.getByTestId('value').innerText(), '–', 'no offences indicator for Enschede, not 0');
    assert.deepEqual(await redErrors(page), []);
    assert.deepEqual(unscoped(urls, 'gemeente', enschede.code), [], 'every scoped request names Enschede');

    // the steering report of Enschede
    await page.goto(`${base}/?gemeente=${enschede.code}&view=stuurgroep#/rapport?period=2023`);
    await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.equal(await page.locator('#rap-title').innerText(), 'Stuurgroeprapportage Enschede');
    assert.equal(await page.getByTestId('r-kde-empty').innerText(), S.kdeNoFile);
    assert.deepEqual(unscoped(urls, 'gemeente', enschede.code), []);

    // all gemeenten: the 517 buurten, Almelo's in colour and the rest "geen gegevens"
    await page.goto(`${base}/?gemeente=${enschede.code}&view=wijk`);
    await waitForMapIdle(page);
    urls.length = 0;
    await chooseGemeente(page, 'Alle gemeenten', 'alle');
    assert.equal(await page.getByTestId('brand-name').innerText(), 'wijkveilig · Alle gemeenten');
    const all = await tableRows(page);
    assert.equal(all.length, 517);
    const counted = areasAll.features.filter((f) => f.properties.count != null);
    assert.equal(all.filter((r) => r.count !== S.noData).length, counted.length);
    assert.equal(all.filter((r) => r.count === S.noData).length, 517 - counted.length);
    assert.ok(await fitted(page, (await api.get('/api/meta?gemeente=alle')).bbox), 'the map fits all gemeenten');
    await assertChoroplethDrawn(page, 'all gemeenten');
    await switchTo(page, 'stuurgroep');
    assert.equal(await page.getByTestId('head-total').innerText(), nlInt(counted.reduce((a, f) => a + f.properties.count, 0)));
    await switchTo(page, 'indicatoren');
    assert.equal(await page.getByTestId('ind-pick-gemeente').innerText(), S.indPick, 'indicators are per gemeente');
    // Gi* over all gemeenten leaves the buurten without figures out, and says so
    await switchTo(page, 'planning');
    await ready(page, 'hotspots');
    assert.equal(await page.getByTestId('hs-excluded').innerText(), S.hsExcluded(517 - counted.length));
    assert.deepEqual(unscoped(urls, 'gemeente', 'alle'), []);
    assert.deepEqual(await redErrors(page), []);
    assert.deepEqual(errors, []);
    // refused: the link to GM9999 (meta and the first figures: 404), and Gi* on Enschede (400, said in the sections)
    const expected = (r) => /^404 GET \/api\/(meta|figures|enforcement)$/.test(r) || /^400 GET \/api\/(hotspots|hotspots\/emerging|coverage)$/.test(r);
    assert.deepEqual(refusedAfterSignIn(refused).filter((r) => !expected(r)), []);
  } finally { await context.close(); }
});

test('Almelo in boundary years 2021 and 2014: 2014 shows its 56 buurten with an area (64 in the file: 5 null, 3 flattened to a line) with figures carried by area, the headline still 4.100, marked as geschat', { skip: noAlmelo }, async () => {
  const base = BASE_URL_ALMELO;
  const api = await apiSession('beheerder', base);
  const meta = await api.get('/api/meta');
  assert.deepEqual(meta.boundary_years, [2021, 2014]);
  assert.equal(meta.gemeenten.length, 1);
  const q = `from=${meta.default_range.from}&to=${meta.default_range.to}&types=0.0.0`;
  const a2014 = await api.get(`/api/areas?level=buurt&${q}&indeling=2014`);
  assert.equal(a2014.features.length, 56);
  assert.equal(a2014.summary.figures.count, 4100, 'the total is kept');
  assert.equal(a2014.summary.figures.estimated, 'area');
  const estimated = a2014.features.filter((f) => f.properties.estimated === 'area').map((f) => f.properties.code);
  assert.ok(estimated.length >= 50, `most 2014 buurten carry an estimate (${estimated.length})`);
  const detail = await api.get(`/api/areas/BU01411000?${q}&indeling=2014`);

  const { page, context, errors, refused } = await signInAs(browser, 'beheerder', '?view=wijk', base);
  try {
    // one gemeente: its name, no chooser; two boundary years: a select
    assert.equal(await page.getByTestId('brand-name').innerText(), 'wijkveilig · Gemeente Almelo');
    assert.equal(await page.getByTestId('gemeente-chooser').count(), 0);
    assert.deepEqual(await page.locator('#indeling-select option').allInnerTexts(), ['Indeling 2021', 'Indeling 2014']);
    assert.equal(await page.locator('#indeling-select').inputValue(), '2021');
    assert.equal(await page.locator('#buurt-table td[data-estimated]').count(), 0, '2021: nothing estimated');

    const urls = scopedRequests(page, base);
    await Promise.all([
      page.waitForURL((u) => new URL(u).searchParams.get('indeling') === '2014', { timeout: 30000 }),
      page.selectOption('#indeling-select', '2014'),
    ]);
    await waitForMapIdle(page);
    assert.equal(await page.locator('#indeling-select').inputValue(), '2014');
    const rows = await tableRows(page);
    assert.equal(rows.length, a2014.features.length);
    assert.deepEqual(rows.filter((r) => r.estimated === 'area').map((r) => r.code).sort(), [...estimated].sort(), 'the table marks the estimated buurten');
    assert.ok(rows.filter((r) => r.estimated).every((r) => r.title === S.estLong && r.count.startsWith('≈ ') && r.count.endsWith(`, ${S.estShort}`)), 'with the method as tooltip');
    // any buurt without an estimate has no figure at all: "geen gegevens", not 0
    assert.ok(rows.filter((r) => !r.estimated).every((r) => r.count === S.noData));
    await assertChoroplethDrawn(page, '2014 buurten', 25);
    // the dashed outline of the estimated buurten, and its legend line
    const dashed = await page.evaluate(() => [...new Set(window.wijkveilig.map.queryRenderedFeatures({ layers: ['buurt-estimated'] }).map((f) => f.properties.code))]);
    assert.ok(dashed.length >= estimated.length * 0.8 && dashed.every((c) => estimated.includes(c)), `dashed outlines: ${dashed.length}`);
    assert.equal(await page.getByTestId('legend-estimated').innerText(), S.estLegend);

    // the buurt panel: the estimate and how it was made
    await page.click('#buurt-table button[data-code="BU01411000"]');
    const panel = page.locator('.buurt-panel[data-code="BU01411000"]');
    await panel.waitFor();
    assert.equal(await page.getByTestId('panel-count').innerText(), nlInt(detail.figures.count));
    assert.ok((await page.getByTestId('panel-count').locator('..').innerText()).includes(S.estShort));
    assert.equal(await panel.getByTestId('panel-estimated').innerText(), S.estLong);
    await panel.locator('button[aria-label=Sluiten]').click();

    // the headline: 4.100, geschat
    await switchTo(page, 'stuurgroep');
    assert.equal(await page.getByTestId('head-total').innerText(), nlInt(4100));
    assert.ok((await page.getByTestId('head-total').locator('..').innerText()).includes(S.estShort));
    assert.equal(await page.getByTestId('head-estimated').innerText(), S.estLong);

    // planning and indicators on the 2014 buurten: no red error
    await switchTo(page, 'planning');
    for (const w of ['hotspots', 'emerging', 'kde', 'coverage', 'patrol']) await ready(page, w);
    assert.ok(await page.getByTestId('hot-list').locator('li').count() > 0, 'Gi* on the carried figures');
    await switchTo(page, 'indicatoren');
    await ready(page, 'indicators');
    assert.deepEqual(await redErrors(page), []);

    // the steering report of the 2014 buurten
    await page.goto(`${base}/?indeling=2014&view=stuurgroep#/rapport?period=2023`);
    await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.equal(await page.getByTestId('r-kde-empty').innerText(), S.kdeNoFile);
    assert.deepEqual(unscoped(urls, 'indeling', '2014'), [], 'every scoped request names boundary year 2014');
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused).filter((r) => !r.endsWith('/api/hotspots/emerging')), []);
  } finally { await context.close(); }
});

test('real Almelo: a crime type the figures lack (the total only) greys every buurt with the sentence why; the filter offers the total only', { skip: noAlmelo }, async () => {
  const api = await apiSession('veiligheidsteam', BASE_URL_ALMELO);
  const types = await api.get('/api/crime-types');
  assert.deepEqual(types.map((c) => [c.code, c.offences, c.incidents]), [['0.0.0', true, false]], 'Almelo\'s file holds the total only, and there are no incidents');
  const { page, context, errors, refused } = await signInAs(browser, 'veiligheidsteam', '?view=wijk&types=1.1.1', BASE_URL_ALMELO);
  try {
    const samples = (await sampleBuurtColours(page)).filter((x) => x.samples >= 3);
    assert.ok(samples.length >= 30 && samples.every((x) => x.cls === CLS_NO_VALUE), 'every buurt in the no-data class');
    assert.ok((await notes(page)).includes(S.typesTotalOnly), 'the map says why');
    assert.deepEqual([...new Set((await tableRows(page)).map((r) => r.count))], [S.noData]);
    await page.click('#typefilter summary');
    assert.equal(await page.getByTestId('types-why').innerText(), S.typesTotalOnly);
    // back to all offences: the total, and the filter says it is all there is
    await page.click('#typefilter input[value="0.0.0"]');
    await waitForMapIdle(page);
    await assertChoroplethDrawn(page, 'the total');
    assert.equal(await page.getByTestId('types-total-only').innerText(), S.byTypeTotalOnly);
    assert.equal(await page.locator('#typefilter input[type=checkbox]').count(), 1, 'nothing to choose but the total');
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused), []);
  } finally { await context.close(); }
});

test('a monthly table with withheld cells and missing months: geheim on the map and in the table, the missing months named, nothing read as 0', { skip: noMonthly }, async () => {
  const base = BASE_URL_MONTHLY;
  const plan = monthlyPlan(yearlyTotals(SHARED_DATA));
  const api = await apiSession('beheerder', base);
  const meta = await api.get('/api/meta');
  assert.equal(meta.periods.monthly, true);
  const areas = await api.get('/api/areas?level=buurt&from=2023-01&to=2023-12&types=0.0.0');
  const withheldCells = plan.months[plan.withheldAll].length + plan.withheldSome.length * plan.withheldMonths.length;
  assert.equal(areas.summary.figures.withheld, withheldCells);
  const some = plan.withheldSome[0];
  // the API's month statuses: withheld apart from no data
  const partial = await api.get(`/api/areas/${plan.partial}?from=2023-01&to=2023-12&types=0.0.0`);
  assert.deepEqual(partial.monthly.filter((x) => x.status === 'no_data').map((x) => x.period), plan.missing);
  const withheld = await api.get(`/api/areas/${some}?from=2023-01&to=2023-12&types=0.0.0`);
  assert.deepEqual(withheld.monthly.filter((x) => x.status === 'withheld').map((x) => x.period), plan.withheldMonths);

  const { page, context, errors, refused } = await signInAs(browser, 'beheerder', '?view=wijk&from=2023-01&to=2023-12', base);
  try {
    // the year: the buurt with every cell withheld is "geheim", hatched; the others have their known cells
    const rows = new Map((await tableRows(page)).map((r) => [r.code, r.count]));
    assert.equal(rows.get(plan.withheldAll), S.withheld);
    for (const code of [plan.partial, ...plan.withheldSome]) assert.equal(rows.get(code), nlInt(plan.known(code)), code);
    const samples = await sampleBuurtColours(page);
    assert.equal(samples.find((x) => x.code === plan.withheldAll)?.cls, CLS_WITHHELD, 'the withheld buurt in the withheld class');
    await assertChoroplethDrawn(page, 'monthly Almelo');

    // a buurt without rows for October to December: the months are named, not 0
    await page.click(`#buurt-table button[data-code="${plan.partial}"]`);
    let panel = page.locator(`.buurt-panel[data-code="${plan.partial}"]`);
    await panel.waitFor();
    assert.equal(await page.getByTestId('panel-count').innerText(), nlInt(plan.known(plan.partial)));
    await panel.locator('.chart[data-trend=monthly] canvas').first().waitFor();
    assert.equal(await panel.getByTestId('trend-months-missing').innerText(), S.monthsMissing(plan.missing.map(month).join(', ')));
    assert.ok((await page.getByTestId('panel-count').locator('..').innerText()).includes(S.partial(plan.missing.length)));
    assert.match(await panel.locator('.chart').getAttribute('aria-label'), /okt 2023 geen gegevens/, 'a missing month is no data, not 0');
    assert.equal(await panel.getByTestId('trend-months-withheld').count(), 0);

    // a buurt with two withheld cells: counted apart, the months named
    await page.click(`#buurt-table button[data-code="${some}"]`);
    panel = page.locator(`.buurt-panel[data-code="${some}"]`);
    await panel.waitFor();
    assert.equal(await page.getByTestId('panel-count').innerText(), nlInt(plan.known(some)));
    assert.ok((await page.getByTestId('panel-count').locator('..').innerText()).includes(S.withheldCells(plan.withheldMonths.length)));
    assert.equal(await panel.getByTestId('trend-months-withheld').innerText(), S.monthsWithheld(plan.withheldMonths.map(month).join(', ')));
    assert.equal(await panel.getByTestId('trend-months-missing').count(), 0, 'withheld is not missing');
    assert.match(await panel.locator('.chart').getAttribute('aria-label'), /mrt 2023 geheim\/afgeschermd/);
    await panel.locator('button[aria-label=Sluiten]').click();

    // the headline: the known cells, with the withheld ones said
    await switchTo(page, 'stuurgroep');
    const total = Object.keys(plan.months).reduce((a, c) => a + (plan.known(c) ?? 0), 0);
    assert.equal(await page.getByTestId('head-total').innerText(), nlInt(total));
    assert.ok((await page.getByTestId('head-total').locator('..').innerText()).includes(S.withheldCells(withheldCells)));

    // October to December: the buurt without those rows has no data, the withheld one stays withheld
    await page.goto(`${base}/?view=wijk&from=2023-10&to=2023-12`);
    await waitForMapIdle(page);
    const q4 = new Map((await tableRows(page)).map((r) => [r.code, r.count]));
    assert.equal(q4.get(plan.partial), S.noData);
    assert.equal(q4.get(plan.withheldAll), S.withheld);
    assert.deepEqual(await redErrors(page), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(refusedAfterSignIn(refused).filter((r) => !r.endsWith('/api/hotspots/emerging')), []);
  } finally { await context.close(); }
});
