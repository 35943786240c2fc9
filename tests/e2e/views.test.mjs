// Every view switches and shows its content; axe-core finds no serious or critical violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDashboard, getJson, pageQuery, nlInt, injectAxe, waitForMapIdle, renderSeq } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function axe(page, label) {
  await injectAxe(page);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [], `axe on ${label}`);
}

async function switchTo(page, view) {
  const seq = await renderSeq(page);
  await page.click(`#tab-${view}`);
  await page.waitForFunction((v) => document.getElementById('viewpanel').dataset.view === v, view);
  await waitForMapIdle(page, seq);
  assert.equal(await page.getAttribute(`#tab-${view}`, 'aria-selected'), 'true');
  assert.equal(new URL(page.url()).searchParams.get('view'), view);
}

test('Wijk view: the wijken compared, then one wijk with its buurten side by side', async () => {
  const meta = await getJson('/api/meta');
  const { page, context } = await openDashboard(browser, '?view=planning');
  try {
    await switchTo(page, 'wijk');
    const view = page.getByTestId('view-wijk');
    assert.equal(await view.locator('.bars li').count(), meta.wijken.length);
    await axe(page, 'wijk view (gemeente)');
    // choose a wijk: the map zooms, the table and the comparison are scoped to it
    const wijk = meta.wijken[0];
    const seq = await renderSeq(page);
    await page.selectOption('#wijk-select', wijk.code);
    await waitForMapIdle(page, seq);
    const q = await pageQuery(page);
    const scoped = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}&wijk=${wijk.code}`);
    assert.equal(new URL(page.url()).searchParams.get('wijk'), wijk.code);
    assert.equal(await page.getByTestId('view-wijk').locator('.bars li').count(), scoped.features.length);
    assert.equal(await page.locator('[data-testid=buurt-table] tbody tr').count(), scoped.features.length);
    const wijken = await getJson(`/api/areas?level=wijk&from=${q.from}&to=${q.to}&types=${q.types}`);
    const wf = wijken.features.find((f) => f.properties.code === wijk.code).properties;
    assert.equal(await page.getByTestId('wijk-count').innerText(), wf.count === null ? 'geheim/afgeschermd' : nlInt(wf.count));
    const center = await page.evaluate(() => window.wijkveilig.map.getCenter().toArray());
    assert.ok(center[0] >= wijk.bbox[0] && center[0] <= wijk.bbox[2] && center[1] >= wijk.bbox[1] && center[1] <= wijk.bbox[3], 'the map zoomed to the wijk');
    await axe(page, 'wijk view (one wijk)');
  } finally { await context.close(); }
});

test('Planning view: camera coverage, the busiest buurten ranked, the hotspot section', async () => {
  const { page, context } = await openDashboard(browser);
  try {
    await switchTo(page, 'planning');
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const ranked = areas.features.map((f) => f.properties).filter((p) => p.count !== null).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'nl'));
    const items = page.getByTestId('busiest').locator('li');
    assert.equal(await items.count(), Math.min(15, ranked.length));
    assert.equal(await items.first().getAttribute('data-code'), ranked[0].code);
    assert.ok(await page.locator('#hotspot-layers').isVisible());
    const cams = await getJson('/api/cameras');
    const layers = new URL(page.url()).searchParams.get('layers').split(',');
    assert.ok(layers.includes('cameras'), 'camera coverage is on');
    const rendered = await page.evaluate(() => window.wijkveilig.map.querySourceFeatures('camera-cover').length);
    assert.ok(rendered >= Math.min(1, cams.features.length));
    await axe(page, 'planning view');
  } finally { await context.close(); }
});

test('Stuurgroep view: KDE heatmap (image source), headline figures equal to the API sums, top 10 and print button', async () => {
  const { page, context } = await openDashboard(browser);
  try {
    await switchTo(page, 'stuurgroep');
    const layers = new URL(page.url()).searchParams.get('layers').split(',');
    assert.ok(layers.includes('kde') && !layers.includes('heatmap'), 'the KDE surface replaces the client heatmap');
    await page.waitForFunction(() => document.body.dataset.kdeStatus === 'ready', null, { timeout: 60000 });
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getLayoutProperty('kde-raster', 'visibility')), 'visible');
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getStyle().sources.kde.type), 'image');
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const props = areas.features.map((f) => f.properties);
    const total = props.reduce((a, p) => a + (p.count ?? 0), 0);
    const view = page.getByTestId('view-stuurgroep');
    assert.equal(await view.getByTestId('head-total').innerText(), nlInt(total));
    const top = props.filter((p) => p.count !== null).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'nl')).slice(0, 10);
    const rows = await view.getByTestId('top10').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.code));
    assert.deepEqual(rows, top.map((p) => p.code));
    const enf = await getJson(`/api/enforcement?from=${q.from}&to=${q.to}`);
    const free = enf.features.filter((f) => f.properties.outcome === 'compliance_without_sanction').length;
    assert.match(await view.getByTestId('head-enf').locator('..').innerText(), new RegExp(`${nlInt(free)} van ${nlInt(enf.features.length)}`));
    assert.ok(await page.locator('#print').isVisible());
    await axe(page, 'stuurgroep view');
  } finally { await context.close(); }
});

test('the views are keyboard operable (arrow keys on the tabs)', async () => {
  const { page, context } = await openDashboard(browser);
  try {
    await page.focus('#tab-wijk');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.getElementById('viewpanel').dataset.view === 'planning');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-planning');
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.getElementById('viewpanel').dataset.view === 'indicatoren');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-indicatoren');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => document.getElementById('viewpanel').dataset.view === 'stuurgroep');
    // the buurt table is a real table reachable from the keyboard, and opens the panel
    const first = page.locator('[data-testid=buurt-table] tbody button').first();
    await first.focus();
    const code = await first.getAttribute('data-code');
    await page.keyboard.press('Enter');
    await page.locator(`.buurt-panel[data-code="${code}"]`).waitFor();
    await axe(page, 'buurt panel');
  } finally { await context.close(); }
});

test('the incident points load only when the client heatmap layer is switched on', async () => {
  const { page, context } = await openDashboard(browser, '?view=stuurgroep');
  const requested = [];
  page.on('request', (r) => { if (r.url().includes('/api/incidents')) requested.push(r.url()); });
  try {
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/api/')));
    assert.ok(loaded.some((n) => n.includes('/api/figures')), 'the resource timing sees the API calls');
    assert.ok(!loaded.some((n) => n.includes('/api/incidents')), 'no incident points at page load');
    assert.deepEqual(requested, []);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/incidents')),
      page.check('input[name=layer][value=heatmap]'),
    ]);
    const fc = await res.json();
    assert.ok(fc.features.length > 0);
    await page.evaluate(() => window.wijkveilig.idle());
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getLayoutProperty('incident-heat', 'visibility')), 'visible');
    assert.ok(new URL(page.url()).searchParams.get('layers').split(',').includes('heatmap'));
  } finally { await context.close(); }
});
