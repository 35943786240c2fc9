// Planning view (issue #4) against the real backend: the Gi* class layer and the KDE image are
// really drawn, suggested sites match the API, a planned camera added on the map and made active
// changes the coverage figure as the API computes it, and the patrol list exports and prints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, openDashboard, canvasPixels, colourCounts, getJson, pageQuery, hexToRgb, close, injectAxe, BASE_URL } from './lib.mjs';

// The frontend's Gi* class colours (frontend/src/kde.ts, RdBu).
const HOT_COLOURS = { hot_99: '#b2182b', hot_95: '#ef8a62', hot_90: '#fddbc7', none: '#f7f7f7', cold_90: '#d1e5f0', cold_95: '#67a9cf', cold_99: '#2166ac' };
const nlShare = (x) => `${new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x * 100)}%`;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ready = (page, what) => page.waitForFunction((w) => document.body.dataset[`${w}Status`] === 'ready', what, { timeout: 60000 });
const mapIdle = (page) => page.evaluate(() => window.wijkveilig.idle());
const qs = (q) => `from=${q.from}&to=${q.to}&types=${q.types}`;

async function axe(page, label) {
  await injectAxe(page);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${label}`);
}

test('the Gi* hotspot layer is drawn in its class colours, with legend and the API classes', async () => {
  const { page, context, errors } = await openDashboard(browser, '?view=planning&layers=hotspots');
  try {
    await ready(page, 'hotspots');
    await mapIdle(page);
    const q = await pageQuery(page);
    const api = await getJson(`/api/hotspots?level=buurt&value=count&permutations=0&fdr=true&seed=1&${qs(q)}`);
    const classes = new Map(api.features.map((f) => [f.properties.code, f.properties.class]));
    const present = [...new Set(classes.values())];
    assert.ok(present.some((c) => c.startsWith('hot_')), `the demo town has hot spots (${present})`);
    // pixels: every class the API reports is visible in its colour
    const png = await canvasPixels(page);
    const counts = colourCounts(png, present.map((c) => HOT_COLOURS[c]), 3);
    present.forEach((c, i) => assert.ok(counts[i] > 100, `${c} drawn (${counts[i]} px)`));
    // per buurt: the pixel under a buurt is its class colour
    const samples = await page.evaluate(() => {
      const map = window.wijkveilig.map;
      const c = map.getCanvas();
      const out = [];
      for (let y = 10; y < c.clientHeight - 10; y += 10) for (let x = 10; x < c.clientWidth - 10; x += 10) {
        const f = map.queryRenderedFeatures([x, y], { layers: ['hotspot-fill'] })[0];
        if (f) out.push({ x, y, code: f.properties.code });
      }
      return out;
    });
    const byCode = new Map();
    for (const s of samples) {
      const i = (s.y * png.width + s.x) * 4;
      const e = byCode.get(s.code) ?? new Map();
      const k = `${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`;
      e.set(k, (e.get(k) ?? 0) + 1);
      byCode.set(s.code, e);
    }
    const judged = [...byCode].filter(([, hist]) => [...hist.values()].reduce((a, b) => a + b, 0) >= 3);
    const ok = judged.filter(([code, hist]) => {
      const mode = [...hist].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
      return close(mode, hexToRgb(HOT_COLOURS[classes.get(code)]), 3);
    });
    assert.ok(judged.length >= 20 && ok.length / judged.length >= 0.9, `${ok.length}/${judged.length} buurten in their Gi* class colour`);
    // the panel lists the hot buurten by z, the legend has all seven classes
    const hot = api.features.map((f) => f.properties).filter((p) => p.bin > 0).sort((a, b) => b.z - a.z);
    assert.equal(await page.getByTestId('hot-list').locator('li').first().getAttribute('data-code'), hot[0].code);
    assert.equal(await page.locator('#legend').getByTestId('legend-hotspots').locator('li').count(), 7);
    assert.equal(await page.getByTestId('eb-note').count(), api.empirical_bayes ? 1 : 0);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('rates: the EB note follows the API and the controls land in the URL', async () => {
  const { page, context } = await openDashboard(browser, '?view=planning&layers=hotspots');
  try {
    await ready(page, 'hotspots');
    await page.check('input[name=hs-value][value=rate]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('hs') === 'rate');
    await ready(page, 'hotspots');
    const q = await pageQuery(page);
    const api = await getJson(`/api/hotspots?level=buurt&value=rate&permutations=0&fdr=true&seed=1&${qs(q)}`);
    assert.equal(api.value, 'rate');
    if (api.empirical_bayes) assert.match(await page.getByTestId('eb-note').innerText(), /Empirical Bayes smoothing aan/);
    else assert.equal(await page.getByTestId('eb-note').count(), 0);
    await page.uncheck('#hs-fdr');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('fdr') === '0');
    await ready(page, 'hotspots');
    assert.match(await page.locator('#legend').innerText(), /Zonder FDR-correctie/);
  } finally { await context.close(); }
});

test('the KDE surface is an image source from the API grid and keeps its intensity when zooming', async () => {
  const { page, context } = await openDashboard(browser, '?view=planning&layers=kde');
  try {
    await ready(page, 'kde');
    await mapIdle(page);
    const q = await pageQuery(page);
    // no cell size picked: the page asks for the server's grid (100 m for a gemeente)
    const kde = await getJson(`/api/kde?${qs(q)}`);
    assert.equal(kde.cell_m, 100);
    const src = await page.evaluate(() => { const s = window.wijkveilig.map.getStyle().sources.kde; return { type: s.type, coordinates: s.coordinates }; });
    assert.equal(src.type, 'image');
    assert.deepEqual(src.coordinates, kde.corners);
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getLayoutProperty('kde-raster', 'visibility')), 'visible');
    assert.match(await page.getByTestId('kde-info').innerText(), new RegExp(`${Math.round(kde.bandwidth_m)}`.replace(/(\d)(?=(\d{3})+$)/g, '$1.')));
    assert.equal(await page.locator('#kde-cell').inputValue(), '');
    assert.equal((await page.locator('#kde-cell option:checked').innerText()).trim(), 'automatisch (100 m)');
    // the densest cell: same colour at two zoom levels (a fixed scale, not a zoom-dependent heatmap)
    const i = kde.values.reduce((best, v, k) => (v > kde.values[best] ? k : best), 0);
    const [tl, tr, , bl] = kde.corners;
    const fx = ((i % kde.nx) + 0.5) / kde.nx, fy = (Math.floor(i / kde.nx) + 0.5) / kde.ny;
    const lngLat = [tl[0] + (tr[0] - tl[0]) * fx + (bl[0] - tl[0]) * fy, tl[1] + (tr[1] - tl[1]) * fx + (bl[1] - tl[1]) * fy];
    const pixelAt = async () => {
      await mapIdle(page);
      const p = await page.evaluate((ll) => window.wijkveilig.map.project(ll), lngLat);
      const png = await canvasPixels(page);
      const k = (Math.round(p.y) * png.width + Math.round(p.x)) * 4;
      return [png.data[k], png.data[k + 1], png.data[k + 2]];
    };
    await page.evaluate((ll) => window.wijkveilig.map.jumpTo({ center: ll, zoom: 13 }), lngLat);
    const a = await pixelAt();
    await page.evaluate((ll) => window.wijkveilig.map.jumpTo({ center: ll, zoom: 15 }), lngLat);
    const b = await pixelAt();
    assert.ok(close(a, b, 12), `same colour at zoom 13 and 15: ${a} vs ${b}`);
    assert.ok(a[0] > 150 && a[0] - a[1] > 80 && a[0] - a[2] > 60, `the densest cell is drawn in the top of the ramp (${a})`);
  } finally { await context.close(); }
});

test('suggested camera sites match the greedy placement from the API', async () => {
  const { page, context } = await openDashboard(browser, '?view=planning&k=3&r=150');
  try {
    await page.click('#place-run');
    await page.waitForFunction(() => document.body.dataset.placementStatus === 'ready', null, { timeout: 60000 });
    const q = await pageQuery(page);
    const res = await fetch(`${BASE_URL}/api/planning/placement?${qs(q)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ k: 3, radius_m: 150 }) });
    const api = await res.json();
    const items = await page.getByTestId('suggestions').locator('li').allInnerTexts();
    assert.equal(items.length, api.chosen.length);
    api.chosen.forEach((c, i) => assert.ok(items[i].includes(`+${c.gain} incidenten`), `${items[i]} has gain ${c.gain}`));
    assert.equal(await page.locator('.suggest-marker').count(), api.chosen.length);
    assert.match(await page.getByTestId('bound-note').innerText(), /1 − 1\/e/);
  } finally { await context.close(); }
});

test('a new camera asks active or planned (planned by default); the what-if shows what it adds once active and says so; saved active, the coverage moves', async () => {
  const { page, context } = await openDashboard(browser, '?view=planning&layers=hotspots,cameras');
  let savedId = null;
  try {
    await ready(page, 'coverage');
    const q = await pageQuery(page);
    const cov0 = await getJson(`/api/coverage?${qs(q)}`);
    assert.equal(await page.getByTestId('cov-incidents').innerText(), nlShare(cov0.incidents.share));
    // place a new camera on the first uncovered hotspot cell by clicking the map there
    const target = cov0.uncovered_cells[0];
    assert.ok(target, 'the demo has uncovered hotspot cells');
    await page.click('#cam-add');
    await page.evaluate((ll) => window.wijkveilig.map.jumpTo({ center: ll, zoom: 15 }), [target.lon, target.lat]);
    await mapIdle(page);
    const pt = await page.evaluate((ll) => window.wijkveilig.map.project(ll), [target.lon, target.lat]);
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction((lon) => Math.abs(Number(document.getElementById('cam-lon')?.value) - lon) < 1e-4, target.lon);
    await page.fill('#cam-name', 'E2E testcamera');
    await page.locator('#cam-name').dispatchEvent('change');
    // the form asks whether the camera is active or planned; a new one is planned until said otherwise
    assert.equal(await page.getByTestId('cam-status').locator('legend').innerText(), 'Is deze camera al actief of gepland?');
    assert.equal(await page.locator('#cam-status-planned').isChecked(), true, 'planned by default');
    assert.equal(await page.locator('#cam-status-active').isChecked(), false);
    // what-if for the unsaved proposal, checked against the API with the same camera set: the
    // stored cameras, and this one as an active camera (a planned one never counts in a coverage)
    const stored = async () => (await getJson('/api/cameras')).features.map((f) => ({ id: f.properties.id, name: f.properties.name, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], radius_m: f.properties.radius_m, status: f.properties.status }));
    const whatIf = async (status) => {
      const v = await page.evaluate(() => ({ lon: Number(document.getElementById('cam-lon').value), lat: Number(document.getElementById('cam-lat').value), radius_m: Number(document.getElementById('cam-radius').value) }));
      const res = await fetch(`${BASE_URL}/api/coverage/what-if?${qs(q)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameras: [...(await stored()), { id: 'voorstel', name: 'E2E testcamera', status, ...v }] }) });
      return res.json();
    };
    await page.waitForFunction(() => document.querySelector('[data-testid=wi-after]'));
    const asPlanned = await whatIf('planned');
    assert.equal(asPlanned.after.share, asPlanned.before.share, 'the API: a planned camera does not count');
    const wi = await whatIf('active');
    assert.ok(wi.after.share > wi.before.share, 'the camera on an uncovered hotspot cell sees more incidents once active');
    await page.waitForFunction((s) => document.querySelector('[data-testid=wi-after]')?.textContent === s, nlShare(wi.after.share));
    assert.equal(await page.getByTestId('wi-before').innerText(), nlShare(wi.before.share));
    assert.equal(await page.getByTestId('wi-after-label').innerText(), 'Zodra deze camera actief is');
    assert.equal(await page.getByTestId('wi-explain').innerText(),
      'Geplande camera’s tellen niet mee in de dekking van nu. De wat-als toont de dekking zodra deze camera actief is, naast de actieve camera’s van nu (andere geplande camera’s tellen ook daar niet mee).');
    // active: the same figures, now as the coverage it would be today
    await page.check('#cam-status-active');
    await page.waitForFunction(() => document.querySelector('[data-testid=wi-after-label]')?.textContent === 'Met dit voorstel');
    assert.equal(await page.getByTestId('wi-after').innerText(), nlShare(wi.after.share));
    assert.match(await page.getByTestId('wi-explain').innerText(), /met deze camera als actieve camera erbij; na opslaan is dat de dekking van nu/);
    await axe(page, 'planning view with the camera form and what-if open');
    // save: the stored camera counts, the coverage figure reloads from /api/coverage
    await page.click('#cam-save');
    await page.waitForFunction((s) => document.querySelector('[data-testid=cov-incidents]')?.textContent !== s, nlShare(cov0.incidents.share), { timeout: 60000 });
    await ready(page, 'coverage');
    const cov1 = await getJson(`/api/coverage?${qs(q)}`);
    assert.ok(cov1.incidents.share > cov0.incidents.share);
    assert.equal(cov1.cameras_active, cov0.cameras_active + 1);
    assert.equal(await page.getByTestId('cov-incidents').innerText(), nlShare(cov1.incidents.share));
    assert.match(await page.getByTestId('cov-saved-compare').innerText(), new RegExp(`${nlShare(cov0.incidents.share)} → ${nlShare(cov1.incidents.share)}`));
    const saved = (await getJson('/api/cameras')).features.find((f) => f.properties.name === 'E2E testcamera');
    assert.ok(saved, 'stored');
    savedId = saved.properties.id;
    assert.equal(saved.properties.status, 'active');
    assert.equal(await page.locator(`[data-testid=camera-list] li[data-id="${savedId}"]`).count(), 1);
    // remove it again through the UI
    page.once('dialog', (d) => d.accept());
    await page.locator(`[data-testid=camera-list] li[data-id="${savedId}"] button`).click();
    await page.click('#cam-delete');
    await page.waitForFunction((s) => document.querySelector('[data-testid=cov-incidents]')?.textContent === s, nlShare(cov0.incidents.share), { timeout: 60000 });
    assert.ok(!(await getJson('/api/cameras')).features.some((f) => f.properties.id === savedId), 'deleted');
    savedId = null;
  } finally {
    if (savedId) await fetch(`${BASE_URL}/api/cameras/${savedId}`, { method: 'DELETE' });
    await context.close();
  }
});

test('the patrol list matches the API, exports the same list as CSV and prints', async () => {
  const { page, context } = await openDashboard(browser, '?view=planning', undefined);
  try {
    await ready(page, 'patrol');
    const q = await pageQuery(page);
    const patrol = await getJson(`/api/patrol?half_life_days=30&top=10&${qs(q)}`);
    for (const s of patrol.shifts) {
      const codes = await page.locator(`[data-testid=patrol-shifts] [data-shift="${s.shift}"] li`).evaluateAll((lis) => lis.map((l) => l.dataset.code));
      assert.deepEqual(codes, s.areas.map((a) => a.code), `shift ${s.shift}`);
    }
    assert.equal(await page.locator('table.heatgrid').count(), Math.min(3, patrol.ranking.length));
    await ready(page, 'coverage');
    await axe(page, 'planning view');
    // CSV download
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#patrol-csv')]);
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
    assert.equal(csv[0], 'shift;rank;code;name;score');
    const rows = csv.slice(1).map((l) => l.split(';'));
    const expected = patrol.shifts.flatMap((s) => s.areas.map((a, i) => [s.shift, String(i + 1), a.code, a.name, a.score]));
    assert.equal(rows.length, expected.length);
    rows.forEach((r, i) => {
      assert.deepEqual(r.slice(0, 4), expected[i].slice(0, 4));
      assert.ok(Math.abs(Number(r[4].replace(',', '.')) - expected[i][4]) < 0.01, `score ${r[4]} vs ${expected[i][4]}`);
    });
    // half-life control reloads the list
    await page.fill('#patrol-hl', '7');
    await page.locator('#patrol-hl').dispatchEvent('change');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('hl') === '7');
    await ready(page, 'patrol');
    const p7 = await getJson(`/api/patrol?half_life_days=7&top=10&${qs(q)}`);
    assert.match(await page.locator('[data-section=patrol]').innerText(), new RegExp(`halfwaardetijd ${p7.half_life_days}`));
    // print: the patrol list replaces the report for printing
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.click('#patrol-print');
    assert.equal(await page.evaluate(() => window.__printed), 1);
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('#report .patrol-doc').isVisible());
    assert.equal(await page.locator('#report .patrol-doc section').count(), p7.shifts.length);
  } finally { await context.close(); }
});
