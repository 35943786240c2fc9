// Each role, signed in through the page (the demo's sign-in route; a signed-in account wins over
// the demo visitor), sees its own view and its own controls, and nothing it may not use: absent,
// not disabled. The anonymous demo visitor is the safety team and switches role in the demo.
// Every page load is checked for console errors (Content-Security-Policy violations among them)
// and for API requests the server refused (a control or load the role may not use).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDashboard, signInAs, apiSession, axeViolations, getJson, waitForMapIdle, renderSeq, nlInt, ACCOUNTS, WIM_WIJKEN, PASSWORD, BASE_URL, buurtTileStates } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ALL_LAYERS = ['choropleth', 'hotspots', 'emerging', 'kde', 'wijken', 'heatmap', 'cameras', 'enforcement', 'initiatives'];
const AGGREGATE_LAYERS = ['choropleth', 'hotspots', 'emerging', 'kde', 'wijken'];
const POINT_ROUTES = /^GET \/api\/(incidents|enforcement|cameras|initiatives)$/;
const skip = !PASSWORD && 'no test accounts (run with scripts/e2e.sh)';

const tabs = (page) => page.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.dataset.view));
const layerBoxes = (page) => page.locator('input[name=layer]').evaluateAll((els) => els.map((e) => e.value));
const viewShown = (page) => page.evaluate(() => document.getElementById('viewpanel').dataset.view);

async function switchTo(page, view) {
  const seq = await renderSeq(page);
  await page.click(`#tab-${view}`);
  await page.waitForFunction((v) => document.getElementById('viewpanel').dataset.view === v, view);
  await waitForMapIdle(page, seq);
}

const ready = (page, what) => page.waitForFunction((w) => document.body.dataset[`${w}Status`] === 'ready', what, { timeout: 60000 });

/** What every role's page must hold to: the account in the header, no errors, nothing refused. */
async function checkHeader(page, role) {
  const who = await page.getByTestId('account').innerText();
  assert.match(who, new RegExp(ACCOUNTS[role]), `the header names ${ACCOUNTS[role]}`);
  assert.ok(await page.locator('#sign-out').isVisible(), 'a sign-out button');
  assert.equal(await page.locator('#demo-role').count(), 0, 'no demo role switch for an account');
}

test('beheerder: every view and layer, camera, target and baseline editing, the report', { skip }, async () => {
  const { page, context, errors, refused } = await signInAs(browser, 'beheerder');
  try {
    await checkHeader(page, 'beheerder');
    assert.match(await page.getByTestId('account').innerText(), /Beheerder/);
    assert.equal(await viewShown(page), 'wijk', 'lands on the Wijk view');
    assert.deepEqual(await tabs(page), ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(await layerBoxes(page), ALL_LAYERS);
    assert.equal(await page.locator('#wijk-select option[value=""]').count(), 1, 'the whole gemeente can be chosen');
    await switchTo(page, 'planning');
    assert.ok(await page.locator('#cam-add').isVisible(), 'camera editing');
    await switchTo(page, 'stuurgroep');
    assert.ok(await page.locator('#print').isVisible());
    assert.ok(await page.locator('#open-report').isVisible());
    await switchTo(page, 'indicatoren');
    await ready(page, 'indicators');
    assert.equal(await page.locator('details.ind-edit').count(), 6, 'target editing on every card');
    assert.equal(await page.locator('details.ind-edit-baseline').count(), 6, 'baseline editing on every card');
    assert.deepEqual(errors, []);
    assert.deepEqual(refused, []);
  } finally { await context.close(); }
});

test('veiligheidsteam: planning and camera editing, but no target or baseline editing', { skip }, async () => {
  const { page, context, errors, refused } = await signInAs(browser, 'veiligheidsteam');
  try {
    await checkHeader(page, 'veiligheidsteam');
    assert.match(await page.getByTestId('account').innerText(), /Veiligheidsteam/);
    assert.equal(await viewShown(page), 'wijk');
    assert.deepEqual(await tabs(page), ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(await layerBoxes(page), ALL_LAYERS);
    await switchTo(page, 'planning');
    assert.ok(await page.locator('#cam-add').isVisible(), 'camera editing');
    assert.ok(await page.locator('#patrol-csv').isVisible(), 'the patrol list');
    await switchTo(page, 'indicatoren');
    await ready(page, 'indicators');
    assert.equal(await page.locator('.ind-card').count(), 6);
    assert.equal(await page.locator('details.ind-edit').count(), 0, 'no target editing');
    assert.equal(await page.locator('details.ind-edit-baseline').count(), 0, 'no baseline editing');
    assert.equal(await page.locator('details.ind-drill').count(), 6, 'the data behind each figure');
    assert.ok(await page.locator('#open-report').isVisible());
    assert.deepEqual(errors, []);
    assert.deepEqual(refused, []);
  } finally { await context.close(); }
});

test('wijkregisseur: lands on their own wijk, the wijk select holds only theirs, no planning and no report', { skip }, async () => {
  const { page, context, errors, refused } = await signInAs(browser, 'wijkregisseur');
  try {
    await checkHeader(page, 'wijkregisseur');
    assert.match(await page.getByTestId('account').innerText(), /Wijkregisseur/);
    assert.equal(await viewShown(page), 'wijk');
    assert.equal(new URL(page.url()).searchParams.get('wijk'), WIM_WIJKEN[0], 'scoped to the first of their wijken');
    assert.deepEqual(await tabs(page), ['wijk', 'stuurgroep', 'indicatoren'], 'no Planning tab');
    assert.equal(await page.locator('#tab-planning').count(), 0);
    assert.deepEqual(await layerBoxes(page), ALL_LAYERS, 'the point layers: their wijken\'s points');
    const options = await page.locator('#wijk-select option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual([...options].sort(), [...WIM_WIJKEN].sort(), 'only their wijken, no "Hele gemeente"');
    // the buurt table: only buurten of the wijk in scope (the server sends only theirs)
    const rows = await page.locator('[data-testid=buurt-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td').textContent));
    assert.ok(rows.length > 0);
    const meta = await getJson('/api/meta');
    const wijkName = meta.wijken.find((w) => w.code === WIM_WIJKEN[0]).name;
    assert.ok(rows.every((w) => w === wijkName), `every buurt in ${wijkName}: ${[...new Set(rows)]}`);
    // the other wijk of theirs can be chosen
    const seq = await renderSeq(page);
    await page.selectOption('#wijk-select', WIM_WIJKEN[1]);
    await waitForMapIdle(page, seq);
    assert.equal(new URL(page.url()).searchParams.get('wijk'), WIM_WIJKEN[1]);
    await switchTo(page, 'stuurgroep');
    assert.equal(await page.locator('#print').count(), 0, 'no print (report)');
    assert.equal(await page.locator('#open-report').count(), 0, 'no report link');
    await switchTo(page, 'indicatoren');
    await ready(page, 'indicators');
    assert.equal(await page.locator('details.ind-edit').count(), 0);
    assert.equal(await page.locator('details.ind-edit-baseline').count(), 0);
    assert.equal(await page.locator('#open-report').count(), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(refused, []);
    // a URL that names Planning gives way to their landing view
    await page.goto(`${BASE_URL}/?view=planning&layers=hotspots,kde`);
    await waitForMapIdle(page);
    assert.equal(await viewShown(page), 'wijk');
    assert.equal(new URL(page.url()).searchParams.get('view'), 'wijk');
    // the steering report page says it is not for them
    await page.goto(`${BASE_URL}/#/rapport?period=2023`);
    await page.getByText('Het rapport voor de stuurgroep is niet beschikbaar voor uw rol.').waitFor();
    assert.deepEqual(refused, [], 'the report was not even asked for');
  } finally { await context.close(); }
});

test('stuurgroep: lands on Stuurgroep, no point layers and no point requests, target editing only, "< 5" where counts are hidden', { skip }, async () => {
  // June 2023: one month, in which many buurten have fewer than 5 offences
  const { page, context, errors, refused, requests } = await signInAs(browser, 'stuurgroep', '?from=2023-06&to=2023-06');
  try {
    await checkHeader(page, 'stuurgroep');
    assert.match(await page.getByTestId('account').innerText(), /Stuurgroep/);
    assert.equal(await viewShown(page), 'stuurgroep', 'lands on the Stuurgroep view');
    assert.deepEqual(await tabs(page), ['wijk', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(await layerBoxes(page), AGGREGATE_LAYERS, 'no point layers');
    assert.ok(await page.locator('#print').isVisible(), 'print');
    assert.ok(await page.locator('#open-report').isVisible(), 'the steering report');
    // the headline is the API's summary for the steering group (the report's figures), the
    // enforcement share among them: not from the enforcement cases, which it may not see
    const sterre = await apiSession('stuurgroep');
    const { summary } = await sterre.get('/api/areas?level=buurt&from=2023-06&to=2023-06');
    assert.equal(await page.getByTestId('head-total').innerText(), nlInt(summary.figures.count));
    const enf = summary.enforcement_without_sanction;
    assert.match(await page.getByTestId('head-enf').locator('..').innerText(), new RegExp(`${nlInt(enf.numerator)} van ${nlInt(enf.denominator)}`));
    await page.waitForFunction(() => document.body.dataset.kdeStatus === 'ready', null, { timeout: 60000 });
    assert.deepEqual(await axeViolations(page), [], 'axe on the steering group\'s view');
    // "< 5": the table, the legend's own class, the map's own class (not withheld, not no data)
    const cells = await page.locator('[data-testid=buurt-table] tbody tr').evaluateAll((trs) => trs.map((tr) => ({ code: tr.dataset.code, count: tr.querySelector('[data-col=count]').textContent, cls: tr.querySelector('[data-col=count]').className })));
    const small = cells.filter((c) => c.count === '< 5');
    assert.ok(small.length >= 5, `buurten with "< 5" in the table (${small.length})`);
    assert.ok(small.every((c) => c.cls.includes('small-count')));
    assert.ok(!cells.some((c) => c.count === 'geheim/afgeschermd'), 'hidden counts are not shown as withheld');
    await switchTo(page, 'wijk');
    assert.match(await page.getByTestId('legend-small').innerText(), /< 5/);
    // the dots (buurt-suppressed) are the "< 5" class (-3) of the buurt tiles' feature-state, the hatching the withheld one (-1)
    const byCode = new Map((await buurtTileStates(page)).map((b) => [b.code, b.state.cls]));
    for (const c of small) assert.equal(byCode.get(c.code), -3, `${c.code} in the "< 5" class, dotted, not hatched as withheld`);
    // a buurt with a hidden count: its panel says "< 5" too
    await page.click(`[data-testid=buurt-table] button[data-code="${small[0].code}"]`);
    await page.locator(`.buurt-panel[data-code="${small[0].code}"]`).waitFor();
    assert.equal(await page.getByTestId('panel-count').innerText(), '< 5');
    assert.deepEqual(await axeViolations(page), [], 'axe on a buurt panel with "< 5"');
    await page.click('.buurt-panel .icon-btn');
    // a wijk with hidden buurten in scope: the headline is the wijk's own total, not a sum short of them
    const buurten = await sterre.get('/api/areas?level=buurt&from=2023-06&to=2023-06');
    const wijkCode = buurten.features.find((f) => f.properties.code === small[0].code).properties.parent_code;
    const wijken = await sterre.get('/api/areas?level=wijk&from=2023-06&to=2023-06');
    const w = wijken.features.find((f) => f.properties.code === wijkCode).properties;
    let seq = await renderSeq(page);
    await page.selectOption('#wijk-select', wijkCode);
    await waitForMapIdle(page, seq);
    await switchTo(page, 'stuurgroep');
    assert.equal(await page.getByTestId('head-total').innerText(), nlInt(w.count), `the total of ${w.name}`);
    // the wijk's enforcement share is the API's (indicator 3 for the wijk), or "< 5" when it rests on few cases
    const ws = wijken.wijk_summaries.find((s) => s.code === wijkCode);
    const wijkEnf = await page.getByTestId('head-enf').innerText();
    if (ws.enforcement_suppressed) assert.equal(wijkEnf, '< 5', `the share of ${w.name} is hidden`);
    else if (ws.enforcement_without_sanction) {
      const e = ws.enforcement_without_sanction;
      const note = await page.getByTestId('head-enf').locator('..').innerText();
      assert.ok(note.includes(nlInt(e.numerator)) && note.includes(nlInt(e.denominator)), `${note} vs ${e.numerator} of ${e.denominator}`);
    } else assert.equal(wijkEnf, '–');
    seq = await renderSeq(page);
    await page.selectOption('#wijk-select', '');
    await waitForMapIdle(page, seq);
    await switchTo(page, 'indicatoren');
    await ready(page, 'indicators');
    assert.equal(await page.locator('details.ind-edit').count(), 6, 'target editing');
    assert.equal(await page.locator('details.ind-edit-baseline').count(), 0, 'no baseline editing');
    const afterSignIn = requests.slice(requests.lastIndexOf('POST /api/session') + 1);
    assert.deepEqual(afterSignIn.filter((r) => POINT_ROUTES.test(r)), [], 'no point data asked for');
    assert.deepEqual(errors, []);
    assert.deepEqual(refused, []);
  } finally { await context.close(); }
});

test('the anonymous demo visitor: the safety team, marked as the demo, with a role switch', async () => {
  const { page, context, errors } = await openDashboard(browser);
  try {
    const who = await page.getByTestId('account').innerText();
    assert.match(who, /DEMO/i);
    assert.match(who, /Veiligheidsteam/);
    assert.ok(await page.locator('#sign-in').isVisible(), 'a way to sign in with an account');
    assert.equal(await page.locator('#sign-out').count(), 0);
    assert.deepEqual(await tabs(page), ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(await layerBoxes(page), ALL_LAYERS);
    const label = await page.locator('label[for=demo-role]').innerText();
    assert.match(label, /^Demo: bekijk als/);
    assert.equal(await page.locator('#demo-role').inputValue(), 'veiligheidsteam');
    // look as the steering group: the view reloads as that role's
    await Promise.all([page.waitForEvent('load'), page.selectOption('#demo-role', 'stuurgroep')]);
    await waitForMapIdle(page);
    assert.equal(await viewShown(page), 'stuurgroep');
    assert.deepEqual(await tabs(page), ['wijk', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(await layerBoxes(page), AGGREGATE_LAYERS);
    assert.match(await page.getByTestId('account').innerText(), /Stuurgroep/);
    // as a wijkregisseur: the demo's first wijk
    await Promise.all([page.waitForEvent('load'), page.selectOption('#demo-role', 'wijkregisseur')]);
    await waitForMapIdle(page);
    const meta = await getJson('/api/meta');
    assert.equal(new URL(page.url()).searchParams.get('wijk'), meta.wijken[0].code);
    assert.deepEqual(await page.locator('#wijk-select option').evaluateAll((os) => os.map((o) => o.value)), [meta.wijken[0].code]);
    assert.equal(await page.locator('#tab-planning').count(), 0);
    // back to the safety team
    await Promise.all([page.waitForEvent('load'), page.selectOption('#demo-role', 'veiligheidsteam')]);
    await waitForMapIdle(page);
    assert.deepEqual(await tabs(page), ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the sign-in page (demo route): Dutch, labelled, no serious axe violations, in English too', async () => {
  const { page, context, errors } = await openDashboard(browser);
  try {
    await Promise.all([page.waitForEvent('load'), page.click('#sign-in')]);
    await page.waitForSelector('#signin-form');
    assert.equal(await page.locator('h1').innerText(), 'Inloggen');
    assert.equal(await page.locator('label[for=signin-user]').innerText(), 'Gebruikersnaam');
    assert.equal(await page.locator('label[for=signin-pass]').innerText(), 'Wachtwoord');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-user', 'the focus is on the first field');
    assert.deepEqual(await axeViolations(page), [], 'axe on the sign-in page');
    await page.click('#signin-lang');
    assert.equal(await page.locator('h1').innerText(), 'Sign in');
    assert.equal(await page.locator('label[for=signin-user]').innerText(), 'User name');
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
    assert.deepEqual(await axeViolations(page), [], 'axe on the English sign-in page');
    // back to the demo without signing in
    await Promise.all([page.waitForEvent('load'), page.click('#signin-back')]);
    await waitForMapIdle(page);
    assert.match(await page.getByTestId('account').innerText(), /Safety team/);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});
