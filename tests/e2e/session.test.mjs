// Signing in where it is required: the server with the synthetic files imported as real data
// (BASE_URL_REAL, started by scripts/e2e.sh), which has no demo visitor. Without a session every
// URL shows the sign-in page; the server's refusals are Dutch sentences, announced, with the focus
// on the field to correct; an ended session (the cookie gone) brings the sign-in page back on the
// next request, and signing in restores the URL's view; signing out ends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, submitSignIn, axeViolations, waitForMapIdle, ACCOUNTS, PASSWORD, BASE_URL_REAL } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const skip = (!PASSWORD || !BASE_URL_REAL) && 'needs the server with imported data and test accounts (run with scripts/e2e.sh)';
const base = BASE_URL_REAL;

/** Submits the form and waits for the alert to say something new. */
async function submitAndWaitForAlert(page) {
  const before = await page.locator('#signin-error').innerText();
  await page.click('#signin-submit');
  await page.waitForFunction((b) => { const t = document.getElementById('signin-error')?.textContent ?? ''; return t !== '' && t !== b; }, before);
  await page.waitForFunction(() => !document.getElementById('signin-submit').disabled);
  return page.locator('#signin-error').innerText();
}

test('signed out: any URL shows the sign-in page, keeps the URL, and nothing but the session is asked for', { skip }, async () => {
  const deep = '/?view=indicatoren&from=2023-02&to=2023-09&types=1.1.1&metric=rate&wijk=WK999903&lang=nl';
  const { page, context, errors, requests, refused } = await newPage(browser, base);
  try {
    await page.goto(`${base}${deep}`);
    await page.waitForSelector('#signin-form');
    assert.equal(await page.locator('h1').innerText(), 'Inloggen');
    assert.equal(await page.title(), 'Inloggen · wijkveilig');
    assert.equal(await page.locator('.demo-banner').count(), 0, 'not the demo');
    assert.equal(await page.locator('#signin-back').count(), 0);
    assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, deep, 'the URL is kept');
    // the session, and whether single sign-on is configured: no data before signing in
    assert.deepEqual(requests.filter((r) => r !== 'GET /api/session' && r !== 'GET /api/session/oidc'), [], 'no data is asked for before signing in');
    assert.ok(requests.includes('GET /api/session'));
    assert.deepEqual(refused, ['401 GET /api/session']);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-user');
    assert.deepEqual(await axeViolations(page), [], 'axe on the sign-in page');
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the server\'s refusals as Dutch sentences: empty fields, a wrong password, too many attempts', { skip }, async () => {
  const { page, context, errors } = await newPage(browser, base);
  try {
    await page.goto(`${base}/`);
    await page.waitForSelector('#signin-form');
    // nothing filled in: said, and the focus on the name
    assert.equal(await submitAndWaitForAlert(page), 'Vul uw gebruikersnaam in.');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-user');
    assert.equal(await page.getAttribute('#signin-user', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#signin-error', 'role'), 'alert', 'announced');
    await page.fill('#signin-user', ACCOUNTS.veiligheidsteam);
    assert.equal(await submitAndWaitForAlert(page), 'Vul uw wachtwoord in.');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-pass');
    // a wrong password: the server's 401, the password emptied and focused
    await page.fill('#signin-pass', 'not-the-password');
    assert.equal(await submitAndWaitForAlert(page), 'De gebruikersnaam of het wachtwoord klopt niet. Controleer ze en probeer het opnieuw.');
    assert.equal(await page.inputValue('#signin-pass'), '');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-pass');
    assert.equal(await page.getAttribute('#signin-pass', 'aria-invalid'), 'true');
    assert.deepEqual(await axeViolations(page), [], 'axe with an error shown');
    // five failures for one name, then the server throttles (429): said with its minutes
    const name = `nobody-${Date.now()}`;
    await page.fill('#signin-user', name);
    let said = '';
    for (let i = 0; i < 6; i++) {
      await page.fill('#signin-pass', `wrong-${i}`);
      await page.evaluate(() => { document.getElementById('signin-error').textContent = ''; });
      said = await submitAndWaitForAlert(page);
    }
    assert.match(said, /^Te veel mislukte pogingen om in te loggen\. Probeer het over \d+ minuten opnieuw\.$/);
    // in English too
    await page.click('#signin-lang');
    await page.fill('#signin-pass', 'wrong-again');
    assert.match(await submitAndWaitForAlert(page), /^Too many failed sign-in attempts\. Try again in \d+ minutes\.$/);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('signing in on a deep URL shows that view, as far as the role may see it', { skip }, async () => {
  const { page, context, errors, refused } = await newPage(browser, base);
  try {
    await page.goto(`${base}/?view=indicatoren&wijk=WK999905&lang=nl`);
    await page.waitForSelector('#signin-form');
    await submitSignIn(page, ACCOUNTS.wijkregisseur);
    await waitForMapIdle(page);
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('view'), 'indicatoren');
    assert.equal(q.get('wijk'), 'WK999905');
    assert.equal(await page.evaluate(() => document.getElementById('viewpanel').dataset.view), 'indicatoren');
    assert.match(await page.getByTestId('account').innerText(), /wim/);
    assert.equal(await page.locator('.demo-banner').count(), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(refused.filter((r) => !r.endsWith('GET /api/session')), [], 'nothing refused once signed in');
  } finally { await context.close(); }
});

test('an ended session: the next request brings the sign-in page, signing in restores the same view', { skip }, async () => {
  const { page, context, errors } = await newPage(browser, base);
  try {
    await page.goto(`${base}/`);
    await page.waitForSelector('#signin-form');
    await submitSignIn(page, ACCOUNTS.veiligheidsteam);
    await waitForMapIdle(page);
    // a deep view: planning, a period, a crime type, a map value, a wijk and a buurt
    const deep = '/?view=planning&from=2023-03&to=2023-08&types=1.2&metric=rate&wijk=WK999903&buurt=BU99990303&lang=nl';
    await page.goto(`${base}${deep}`);
    await waitForMapIdle(page);
    await page.locator('.buurt-panel[data-code="BU99990303"]').waitFor();
    await page.click('.buurt-panel .icon-btn');
    const before = new URL(page.url());
    // the session ends (as after the idle timeout): the cookie is gone
    await context.clearCookies();
    // the next request: the incident points for the heatmap layer
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/incidents')),
      page.click('input[name=layer][value=heatmap]'),
    ]);
    assert.equal(res.status(), 401);
    await page.waitForSelector('#signin-form');
    assert.match(await page.getByTestId('signin-expired').innerText(), /Uw sessie is verlopen/);
    assert.equal(await page.locator('#map').count(), 0, 'the dashboard is gone');
    const kept = new URL(page.url());
    for (const k of ['view', 'from', 'to', 'types', 'metric', 'wijk', 'lang']) assert.equal(kept.searchParams.get(k), before.searchParams.get(k), `the URL keeps ${k}`);
    assert.deepEqual(kept.searchParams.get('layers').split(',').sort(), [...before.searchParams.get('layers').split(','), 'heatmap'].sort(), 'and the layers, with the one just switched on');
    assert.deepEqual(await axeViolations(page), [], 'axe on the sign-in page after the session ended');
    // signing in again: the same URL, the same view
    await submitSignIn(page, ACCOUNTS.veiligheidsteam);
    await waitForMapIdle(page);
    const after = new URL(page.url());
    for (const k of ['view', 'from', 'to', 'types', 'metric', 'wijk', 'layers', 'lang']) assert.equal(after.searchParams.get(k), kept.searchParams.get(k), k);
    assert.equal(await page.evaluate(() => document.getElementById('viewpanel').dataset.view), 'planning');
    assert.equal(await page.getAttribute('#tab-planning', 'aria-selected'), 'true');
    assert.equal(await page.inputValue('#wijk-select'), 'WK999903');
    assert.ok(await page.isChecked('input[name=metric][value=rate]'));
    assert.ok(await page.isChecked('input[name=layer][value=heatmap]'));
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('an ended session on the steering report page: signing in brings back the report of the same period', { skip }, async () => {
  const { page, context, errors } = await newPage(browser, base);
  try {
    await page.goto(`${base}/#/rapport?period=2023`);
    await page.waitForSelector('#signin-form');
    await submitSignIn(page, ACCOUNTS.stuurgroep);
    await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.equal(new URL(page.url()).hash, '#/rapport?period=2023');
    await context.clearCookies();
    // another period: the report is asked for again, and refused
    await page.selectOption('#rap-period', '2023H1');
    await page.waitForSelector('#signin-form');
    assert.match(await page.getByTestId('signin-expired').innerText(), /Uw sessie is verlopen/);
    assert.equal(new URL(page.url()).hash, '#/rapport?period=2023H1', 'the report\'s state (in the hash) is kept');
    await submitSignIn(page, ACCOUNTS.stuurgroep);
    await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.equal(await page.inputValue('#rap-period'), '2023H1');
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('signing out ends the session: the sign-in page, and the data is refused', { skip }, async () => {
  const { page, context, errors } = await newPage(browser, base);
  try {
    await page.goto(`${base}/?view=stuurgroep`);
    await page.waitForSelector('#signin-form');
    await submitSignIn(page, ACCOUNTS.stuurgroep);
    await waitForMapIdle(page);
    assert.equal(await page.evaluate(() => document.getElementById('viewpanel').dataset.view), 'stuurgroep');
    await Promise.all([page.waitForEvent('load'), page.click('#sign-out')]);
    await page.waitForSelector('#signin-form');
    assert.equal(await page.locator('[data-testid=signin-expired]').count(), 0, 'not "expired": signed out');
    const status = await page.evaluate(async () => (await fetch('/api/areas?level=wijk')).status);
    assert.equal(status, 401);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});
