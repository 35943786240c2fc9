// Print: the Stuurgroep report prints as exactly one A4 landscape page with the map image on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { launch, openDashboard, getJson, pageQuery, nlInt } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Decompressed content of all Flate streams in a PDF, for looking inside object streams. */
function pdfText(buf) {
  const s = buf.toString('latin1');
  let out = s;
  const re = /stream\r?\n/g;
  let m;
  while ((m = re.exec(s))) {
    const start = m.index + m[0].length;
    const end = s.indexOf('endstream', start);
    if (end < 0) break;
    try { out += inflateSync(buf.subarray(start, end)).toString('latin1'); } catch { /* not Flate */ }
  }
  return out;
}

test('Print gives exactly one A4 landscape page with the map image, headline figures and top 10', async () => {
  const { page, context } = await openDashboard(browser, '?view=stuurgroep');
  try {
    // The report is hidden on screen: it is not rendered until printed, only marked stale.
    assert.equal(await page.locator('#report').getAttribute('data-stale'), 'true');
    assert.equal(await page.locator('#report').evaluate((r) => r.childElementCount), 0, 'not rendered while hidden');
    // The Print button renders the map canvas into the report and calls window.print().
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.click('#print');
    assert.equal(await page.evaluate(() => window.__printed), 1);
    assert.equal(await page.locator('#report').getAttribute('data-stale'), 'false');
    const src = await page.getAttribute('#report-map-img', 'src');
    assert.match(src ?? '', /^data:image\/png;base64,/);
    const dims = await page.evaluate(() => { const i = document.getElementById('report-map-img'); return [i.naturalWidth, i.naturalHeight]; });
    assert.ok(dims[0] > 300 && dims[1] > 300, `map image has a real size ${dims}`);

    await page.emulateMedia({ media: 'print' });
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const total = areas.features.reduce((a, f) => a + (f.properties.count ?? 0), 0);
    const report = page.locator('#report');
    assert.ok(await report.isVisible(), 'the report is what prints');
    assert.equal(await report.getByTestId('head-total').innerText(), nlInt(total));
    assert.equal(await report.getByTestId('report-top10').locator('tbody tr').count(), Math.min(10, areas.features.filter((f) => f.properties.count !== null).length));
    assert.ok(!(await page.locator('.sidebar').isVisible()), 'controls are not printed');
    const box = await page.locator('#report-map-img').boundingBox();
    assert.ok(box && box.width > 200 && box.height > 200, 'map image laid out on the page');

    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    const text = pdfText(pdf);
    const pages = text.match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    assert.equal(pages.length, 1, 'exactly one page');
    const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => m.slice(1).map(Number));
    assert.ok(boxes.length >= 1);
    for (const [x0, y0, x1, y1] of boxes) {
      // A4 is 841.89 x 595.28 pt; Chromium rounds the page to whole CSS pixels (842.88 x 595.92).
      assert.ok(Math.abs(x1 - x0 - 842) <= 1.5, `A4 landscape width ~842 pt, got ${x1 - x0}`);
      assert.ok(Math.abs(y1 - y0 - 595) <= 1.5, `A4 landscape height ~595 pt, got ${y1 - y0}`);
    }
    const images = [...text.matchAll(/\/Subtype\s*\/Image[^>]*?\/Width\s+(\d+)|\/Width\s+(\d+)[^>]*?\/Subtype\s*\/Image/g)].map((m) => Number(m[1] ?? m[2]));
    assert.ok(images.some((w) => w >= 300), `the map image is embedded (image widths ${images})`);
  } finally { await context.close(); }
});
