// The steering report page (#/rapport) against the real backend: every section is there with the
// API's figures, and it prints to a multi-page A4 PDF where no indicator card is cut in two.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { launch, getJson, axeSource, BASE_URL } from './lib.mjs';

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

/** Indicators as the report shows them: from /api/report when served, else /api/indicators. */
async function reportSource(period) {
  const res = await fetch(`${BASE_URL}/api/report?period=${period}`);
  return res.ok ? res.json() : null;
}

test('the report page has every section with the API figures and no serious axe violations', async () => {
  const { page, context, errors } = await openReport('#/rapport?period=2023');
  try {
    assert.match(await page.locator('h1').innerText(), /Stuurgroeprapportage/);
    assert.deepEqual(await page.locator('.r-sec > h2').allInnerTexts(), SECTIONS);
    const rep = await reportSource('2023');
    const inds = rep?.indicators ?? (await getJson('/api/indicators'));
    assert.equal(await page.locator('.ind-card').count(), 6);
    for (const ind of inds) {
      assert.equal(await page.locator(`.ind-card[data-key="${ind.key}"] [data-testid=value]`).innerText(), valueText(ind, ind.latest?.value), ind.key);
    }
    // top hotspots: the hot buurten of 2023 by z, with their class
    if (!rep) {
      const hs = await getJson('/api/hotspots?level=buurt&value=count&permutations=0&fdr=true&from=2023-01&to=2023-12&types=0.0.0');
      const top = hs.features.map((f) => f.properties).filter((p) => p.bin > 0).sort((a, b) => b.z - a.z).slice(0, 10);
      assert.deepEqual(await page.getByTestId('r-hotspots').locator('tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.code)), top.map((p) => p.code));
      const enf = await getJson('/api/enforcement?from=2023-01&to=2023-12');
      assert.equal(await page.getByTestId('r-enforcement').locator('tfoot td').first().innerText(), new Intl.NumberFormat('nl-NL').format(enf.features.length));
    } else {
      // /api/report: top hotspots with class, enforcement outcomes, initiatives, coverage
      const rows = await page.getByTestId('r-hotspots').locator('tbody tr').evaluateAll((trs) => trs.map((t) => [t.dataset.code, t.querySelector('td:last-child').textContent.trim()]));
      const CLASS = { hot_99: 'Hotspot 99%', hot_95: 'Hotspot 95%', hot_90: 'Hotspot 90%', none: 'Niet significant', cold_90: 'Coldspot 90%', cold_95: 'Coldspot 95%', cold_99: 'Coldspot 99%' };
      assert.deepEqual(rows, rep.top_hotspots.map((h) => [h.code, CLASS[h.class]]));
      const total = rep.enforcement_outcomes.reduce((a, o) => a + o.count, 0);
      assert.equal(await page.getByTestId('r-enforcement').locator('tfoot td').first().innerText(), new Intl.NumberFormat('nl-NL').format(total));
      assert.equal(await page.getByTestId('r-initiatives').locator('tbody tr').count(), rep.initiatives.length);
      const share = `${new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rep.coverage.incidents.share * 100)}%`;
      assert.ok((await page.locator('#r-coverage').innerText()).includes(share), `coverage ${share}`);
      assert.match(await page.getByTestId('r-summary').innerText(), new RegExp(`Hotspotbuurten \\(Gi\\*\\)\\s+${rep.hotspot_summary.hot}`));
    }
    const img = await page.evaluate(() => { const i = document.getElementById('rap-map-img'); return [i.naturalWidth, i.naturalHeight]; });
    assert.ok(img[0] > 300 && img[1] > 300, `the KDE map is rendered into the report (${img})`);
    await page.addScriptTag({ content: axeSource() });
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
    const inds = (await reportSource('2023'))?.indicators ?? (await getJson('/api/indicators'));
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
