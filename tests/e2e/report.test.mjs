// The steering report page (#/rapport) against the real backend: every section is there with the
// API's figures, and it prints to a multi-page A4 PDF where no indicator card is cut in two.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { launch, getJson, injectAxe, BASE_URL } from './lib.mjs';

const SECTIONS = ['Waar gebeurt het? Dichtheid van incidenten', 'In het kort', 'Programma-indicatoren', 'Belangrijkste hotspots', 'Cameradekking', 'Handhaving: uitkomsten', 'Buurtinitiatieven'];
const nl1 = (v) => new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1 }).format(v);
const valueText = (ind, v) => (v == null ? '–' : ind.unit === '%' ? `${nl1(v)}%` : new Intl.NumberFormat('nl-NL', { maximumFractionDigits: ind.unit === 'count' ? 0 : 1 }).format(v));

let browser;
let dir;
before(async () => { browser = await launch(); dir = mkdtempSync(join(tmpdir(), 'wv-report-')); });
after(async () => { await browser?.close(); rmSync(dir, { recursive: true, force: true }); });

async function openReport(hash) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 }, deviceScaleFactor: 1, locale: 'nl-NL' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.route('**/*', (route) => (route.request().url().startsWith(BASE_URL) || /^(data|blob):/.test(route.request().url()) ? route.continue() : route.abort()));
  await page.goto(`${BASE_URL}/${hash}`);
  await page.waitForFunction(() => document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
  return { page, context, errors };
}

test('the report page has every section with the API figures and no serious axe violations', async () => {
  const { page, context, errors } = await openReport('#/rapport?period=2023');
  try {
    assert.match(await page.locator('h1').innerText(), /Stuurgroeprapportage/);
    assert.deepEqual(await page.locator('.r-sec > h2').allInnerTexts(), SECTIONS);
    const rep = await getJson('/api/report?period=2023');
    assert.equal(await page.locator('.ind-card').count(), 6);
    for (const ind of rep.indicators) {
      assert.equal(await page.locator(`.ind-card[data-key="${ind.key}"] [data-testid=value]`).innerText(), valueText(ind, ind.latest?.value), ind.key);
    }
    // top hotspots with class, enforcement outcomes, initiatives, coverage: as /api/report has them
    const rows = await page.getByTestId('r-hotspots').locator('tbody tr').evaluateAll((trs) => trs.map((t) => [t.dataset.code, t.querySelector('td:last-child').textContent.trim()]));
    const CLASS = { hot_99: 'Hotspot 99%', hot_95: 'Hotspot 95%', hot_90: 'Hotspot 90%', none: 'Niet significant', cold_90: 'Coldspot 90%', cold_95: 'Coldspot 95%', cold_99: 'Coldspot 99%' };
    assert.deepEqual(rows, rep.top_hotspots.map((h) => [h.code, CLASS[h.class]]));
    const total = rep.enforcement_outcomes.reduce((a, o) => a + o.count, 0);
    assert.equal(await page.getByTestId('r-enforcement').locator('tfoot td').first().innerText(), new Intl.NumberFormat('nl-NL').format(total));
    assert.equal(await page.getByTestId('r-initiatives').locator('tbody tr').count(), rep.initiatives.length);
    const pct1 = (x) => `${new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x)}%`;
    const share = pct1(rep.coverage.incidents.share * 100);
    assert.ok((await page.locator('#r-coverage').innerText()).includes(share), `coverage ${share}`);
    assert.match(await page.getByTestId('r-summary').innerText(), new RegExp(`Hotspotbuurten \\(Gi\\*\\)\\s+${rep.hotspot_summary.hot}`));
    // the enforcement tile is indicator 3's rule for the period, as the API computes it
    const es = rep.enforcement_share;
    assert.ok(es && es.denominator > 0, 'the demo has counted enforcement actions in 2023');
    const nl = (n) => new Intl.NumberFormat('nl-NL').format(n);
    const tile = page.getByTestId('r-enf-share');
    assert.equal(await tile.locator('.tile-value').innerText(), pct1(es.value));
    assert.equal(await tile.locator('.tile-note').innerText(), `${nl(es.numerator)} van ${nl(es.denominator)} handhavingsacties`);
    assert.equal(es.denominator, total, 'the outcomes table lists the counted actions the share is over');
    const img = await page.evaluate(() => { const i = document.getElementById('rap-map-img'); return [i.naturalWidth, i.naturalHeight]; });
    assert.ok(img[0] > 300 && img[1] > 300, `the KDE map is rendered into the report (${img})`);
    await injectAxe(page);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), []);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('choosing a half-year re-renders the report for that period (state in the URL)', async () => {
  const { page, context } = await openReport('#/rapport?period=2023');
  try {
    await page.evaluate(() => { document.body.dataset.reportReady = 'false'; });
    await page.selectOption('#rap-period', '2023H1');
    await page.waitForFunction(() => location.hash === '#/rapport?period=2023H1' && document.body.dataset.reportReady === 'true', null, { timeout: 60000 });
    assert.match(await page.locator('.r-period').innerText(), /1e halfjaar 2023 · jan 2023 – jun 2023/);
  } finally { await context.close(); }
});

test('the report prints to a multi-page A4 PDF with every section and no card cut in two', async () => {
  const { page, context } = await openReport('#/rapport?period=2023');
  try {
    await page.emulateMedia({ media: 'print' });
    assert.ok(!(await page.locator('.rapport-bar').isVisible()), 'the toolbar does not print');
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
    assert.ok(pages > 1, `more than one page (${pages})`);
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info).map(Number);
    assert.ok(Math.abs(w - 595) <= 2 && Math.abs(h - 842) <= 2, `A4 portrait, got ${w} x ${h}`);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const s of [...SECTIONS, 'Stuurgroeprapportage']) assert.ok(text.includes(s), `"${s}" is in the PDF`);
    // every indicator card on one page: its title and its value on the same page
    const perPage = Array.from({ length: pages }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), file, '-'], { encoding: 'utf8' }).replace(/[\s-]+/g, ''));
    const inds = (await getJson('/api/report?period=2023')).indicators;
    for (const ind of inds) {
      const words = ind.title.slice(0, 24).replace(/[\s-]+/g, '');
      const p = perPage.findIndex((t) => t.includes(words));
      assert.ok(p >= 0, `${ind.key} title on a page`);
      assert.ok(perPage[p].includes(valueText(ind, ind.latest?.value).replace(/\s+/g, '')), `${ind.key}: value on the same page as its title`);
    }
    // the first page carries the map: render it and look for the KDE colours
    execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', '60', '-png', file, join(dir, 'p')]);
    const png = PNG.sync.read(readFileSync(join(dir, 'p-1.png')));
    let warm = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] > 200 && png.data[i + 1] < 190 && png.data[i + 2] < 150) warm++;
    assert.ok(warm > 200, `KDE colours on page 1 (${warm} px)`);
  } finally { await context.close(); }
});
