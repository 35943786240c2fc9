// Clicking a buurt opens its panel with the API's figures; search, CSV export, URL state, language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openDashboard, getJson, pageQuery, nlInt, nlDec, nlPct, waitForMapIdle } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A point on the map canvas (page coordinates) inside a rendered buurt with a known count. */
async function pointInBuurt(page) {
  return page.evaluate(() => {
    const map = window.wijkveilig.map;
    const c = map.getCanvas();
    const r = c.getBoundingClientRect();
    // a layer joins the map with its source's first data: the point layers that are off have none
    const layers = ['buurt-fill', 'camera-point', 'enforcement-point', 'initiative-point'].filter((l) => map.getLayer(l));
    for (let y = 60; y < c.clientHeight - 60; y += 17) {
      for (let x = 60; x < c.clientWidth - 60; x += 17) {
        const fs = map.queryRenderedFeatures([x, y], { layers });
        // the buurt must be the only thing under the pointer, away from its edges
        const ok = fs.length === 1 && fs[0].layer.id === 'buurt-fill' && fs[0].state.cls >= 0
          && [[-8, 0], [8, 0], [0, -8], [0, 8]].every(([dx, dy]) => map.queryRenderedFeatures([x + dx, y + dy], { layers: ['buurt-fill'] })[0]?.properties.code === fs[0].properties.code);
        if (ok) return { x: r.left + x, y: r.top + y, code: fs[0].properties.code };
      }
    }
    return null;
  });
}

function expectedFigures(d) {
  const f = d.figures;
  return {
    count: f.count === null ? 'geheim/afgeschermd' : nlInt(f.count),
    rate: f.rate_per_1000 === null ? '–' : nlDec(f.rate_per_1000),
    change: f.change_pct === null ? '–' : nlPct(f.change_pct),
    rank: f.rank === null ? '–' : `${f.rank}e van ${f.rank_of}`,
  };
}

async function panelFigures(page) {
  const txt = (id) => page.getByTestId(id).innerText();
  return { count: await txt('panel-count'), rate: await txt('panel-rate'), change: await txt('panel-change'), rank: await txt('panel-rank') };
}

test('clicking a buurt on the map opens its panel with the figures of /api/areas/{code}', async () => {
  const { page, context, errors } = await openDashboard(browser);
  try {
    const pt = await pointInBuurt(page);
    assert.ok(pt, 'found a buurt on the map');
    await page.mouse.click(pt.x, pt.y);
    const panel = page.locator(`.buurt-panel[data-code="${pt.code}"]`);
    await panel.waitFor();
    const q = await pageQuery(page);
    assert.equal(new URL(page.url()).searchParams.get('buurt'), pt.code, 'the selection is in the URL');
    const d = await getJson(`/api/areas/${pt.code}?from=${q.from}&to=${q.to}&types=${q.types}`);
    assert.equal(await panel.locator('h2').innerText(), d.name);
    assert.deepEqual(await panelFigures(page), expectedFigures(d));
    assert.match(await page.getByTestId('panel-rank').innerText(), /^\d+e van \d+$/);
    // breakdown by type and enforcement by outcome list what the API returns
    const typeRows = await panel.locator('.panel-section').nth(1).locator('li').count();
    assert.equal(typeRows, d.by_type.length);
    // the monthly trend chart has rendered
    await panel.locator('.chart canvas').waitFor();
    // the rank equals the position in the gemeente-wide list
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    assert.equal(d.figures.rank_of, areas.features.length);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('search by name opens the buurt, the CSV export holds its figures, and the URL reproduces the view', async () => {
  const meta = await getJson('/api/meta');
  const { page, context } = await openDashboard(browser, `?metric=rate&from=${meta.default_range.from}&to=${meta.default_range.to}`);
  try {
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const target = areas.features.map((f) => f.properties).find((p) => p.count !== null && p.count > 0);
    await page.fill('#search', target.name);
    await page.press('#search', 'Enter');
    const panel = page.locator(`.buurt-panel[data-code="${target.code}"]`);
    await panel.waitFor();
    const d = await getJson(`/api/areas/${target.code}?from=${q.from}&to=${q.to}&types=${q.types}`);
    assert.deepEqual(await panelFigures(page), expectedFigures(d));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeff'), 'BOM for spreadsheet software');
    assert.ok(csv.includes(`buurt;code;${d.code}`));
    assert.ok(csv.includes(`kerncijfers;aantal;${d.figures.count ?? ''}`));
    assert.equal(csv.split('\r\n').filter((l) => l.startsWith('per_maand;')).length, d.monthly.length);

    // the URL alone reproduces metric, period, selection
    const url = page.url();
    const again = await context.newPage();
    await again.goto(url);
    await waitForMapIdle(again);
    await again.locator(`.buurt-panel[data-code="${target.code}"]`).waitFor();
    assert.equal(await again.locator('input[name=metric][value=rate]').isChecked(), true);
    assert.deepEqual(await pageQuery(again), q);
    assert.deepEqual(await panelFigures(again), expectedFigures(d));
  } finally { await context.close(); }
});

test('the English switch translates the UI and keeps nl-NL number formats', async () => {
  const { page, context } = await openDashboard(browser);
  try {
    await page.click('button.lang');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('lang') === 'en');
    assert.match(await page.locator('.brand-name').innerText(), /Municipality of/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('#tab-stuurgroep').innerText(), 'Steering group');
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const big = areas.features.map((f) => f.properties).filter((p) => p.population >= 1000)[0];
    if (big) assert.equal(await page.locator(`[data-testid=buurt-table] tr[data-code="${big.code}"] td`).nth(1).innerText(), nlInt(big.population));
  } finally { await context.close(); }
});

test('the crime-type filter narrows the figures to the chosen types', async () => {
  const types = await getJson('/api/crime-types');
  const leaf = types.find((t) => t.level === 3);
  const { page, context } = await openDashboard(browser);
  try {
    await page.click('#typefilter summary');
    await page.check(`#typefilter input[value="${leaf.code}"]`);
    await page.waitForFunction((c) => new URL(location.href).searchParams.get('types') === c, leaf.code);
    await waitForMapIdle(page, 1);
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${leaf.code}`);
    const top = areas.features.map((f) => f.properties).filter((p) => p.count !== null).sort((a, b) => b.count - a.count)[0];
    assert.equal(await page.locator(`[data-testid=buurt-table] tr[data-code="${top.code}"] [data-col=count]`).innerText(), nlInt(top.count));
    assert.match(await page.locator('[data-testid=buurt-table] caption').innerText(), new RegExp(leaf.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  } finally { await context.close(); }
});
