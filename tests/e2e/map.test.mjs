// The page loads, the map really renders the buurt choropleth, and changing the period changes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openDashboard, canvasPixels, colourCounts, getJson, pageQuery, sampleBuurtColours, close, hexToRgb, waitForMapIdle, renderSeq, nlInt, buurtTileStates } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the dashboard loads with header, demo banner and a rendered choropleth', async () => {
  const meta = await getJson('/api/meta');
  const { page, errors, context } = await openDashboard(browser, '?layers=choropleth');
  try {
    const header = await page.locator('.brand-name').innerText();
    assert.match(header, /wijkveilig/);
    assert.ok(header.includes(`Gemeente ${meta.gemeente.name}`), header);
    if (meta.demo) {
      const banner = page.getByTestId('demo-banner');
      assert.ok(await banner.isVisible());
      assert.match(await banner.innerText(), /Synthetische demodata/i);
    }
    // Read the canvas back and find the legend's class colours in it.
    const legendColours = await page.locator('[data-testid=legend-classes] .swatch').evaluateAll((els) =>
      els.map((e) => getComputedStyle(e).backgroundColor).filter((c) => c.startsWith('rgb(')));
    const hex = legendColours.map((c) => `#${c.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`);
    assert.ok(hex.length >= 3, `legend has class colours: ${hex}`);
    const png = await canvasPixels(page);
    const counts = colourCounts(png, hex, 4);
    const total = png.width * png.height;
    const painted = counts.reduce((a, b) => a + b, 0);
    assert.ok(counts.filter((n) => n > 200).length >= 3, `at least 3 class colours visible, got ${counts}`);
    assert.ok(painted / total > 0.1, `choropleth covers a real part of the map (${(100 * painted / total).toFixed(1)}%)`);
    // Each buurt is drawn in the colour its data gives it.
    const samples = (await sampleBuurtColours(page)).filter((s) => s.cls >= 0 && s.samples >= 3);
    assert.ok(samples.length >= 10, `enough buurten sampled (${samples.length})`);
    const matching = samples.filter((s) => close(s.pixel, hexToRgb(s.colour)));
    assert.ok(matching.length / samples.length >= 0.9, `${matching.length}/${samples.length} buurten drawn in their class colour`);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('withheld buurten are drawn hatched and labelled, not as zero', async () => {
  const { page, context } = await openDashboard(browser, '?layers=choropleth');
  try {
    const legend = await page.locator('#legend').innerText();
    assert.match(legend, /geheim\/afgeschermd/);
    const q = await pageQuery(page);
    const areas = await getJson(`/api/areas?level=buurt&from=${q.from}&to=${q.to}&types=${q.types}`);
    const withheld = areas.features.filter((f) => f.properties.count === null).map((f) => f.properties.code);
    const rows = await page.locator('[data-testid=buurt-table] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ code: tr.dataset.code, count: tr.querySelector('[data-col=count]').textContent })));
    for (const code of withheld) assert.equal(rows.find((r) => r.code === code)?.count, 'geheim/afgeschermd');
    // the hatching is the withheld class (-1) of the buurt tiles' feature-state (buurt-withheld's opacity)
    const byCode = new Map((await buurtTileStates(page)).filter((b) => b.state.cls !== undefined).map((b) => [b.code, b.state.cls]));
    assert.ok(byCode.size >= areas.features.length * 0.9, `the buurten with figures are in the tiles (${byCode.size} of ${areas.features.length})`);
    for (const code of withheld) assert.equal(byCode.get(code), -1, `${code} is in the withheld class, drawn hatched`);
    assert.ok([...byCode].every(([code, cls]) => (cls === -1) === withheld.includes(code)), 'only the withheld buurten are hatched');
    const hatch = await page.evaluate(() => window.wijkveilig.map.getPaintProperty('buurt-withheld', 'fill-opacity'));
    assert.match(JSON.stringify(hatch), /"cls"\],-1\]/, 'the hatching follows the withheld class');
  } finally { await context.close(); }
});

test('changing the period changes the data, the colours and the pixels', async () => {
  const { page, context } = await openDashboard(browser, '?layers=choropleth');
  try {
    const before = await sampleBuurtColours(page);
    const pngBefore = await canvasPixels(page);
    const q0 = await pageQuery(page);
    // Move the end of the range to the first month with the keyboard: the start follows, a single month.
    const seq = await renderSeq(page);
    await page.focus('#to');
    await page.keyboard.press('Home');
    await page.waitForFunction((to) => new URL(location.href).searchParams.get('to') !== to, q0.to);
    await waitForMapIdle(page, seq);
    const q1 = await pageQuery(page);
    assert.equal(q1.from, q1.to, 'a single month');
    assert.notEqual(q1.to, q0.to);
    // the table now shows the API's figures for the new period
    const areas = await getJson(`/api/areas?level=buurt&from=${q1.from}&to=${q1.to}&types=${q1.types}`);
    const top = areas.features.map((f) => f.properties).filter((p) => p.count !== null).sort((a, b) => b.count - a.count)[0];
    const row = await page.locator(`[data-testid=buurt-table] tr[data-code="${top.code}"] [data-col=count]`).innerText();
    assert.equal(row, nlInt(top.count));
    const after = await sampleBuurtColours(page);
    const ok = after.filter((s) => s.cls >= 0 && s.samples >= 3);
    assert.ok(ok.filter((s) => close(s.pixel, hexToRgb(s.colour))).length / ok.length >= 0.9, 'rendered colours follow the new data');
    const colourBefore = new Map(before.map((s) => [s.code, s.colour]));
    const changed = after.filter((s) => colourBefore.has(s.code) && colourBefore.get(s.code) !== s.colour);
    assert.ok(changed.length > 0, 'some buurt changed class');
    const pngAfter = await canvasPixels(page);
    let diff = 0;
    for (let i = 0; i < pngAfter.data.length; i += 4) if (pngAfter.data[i] !== pngBefore.data[i] || pngAfter.data[i + 1] !== pngBefore.data[i + 1]) diff++;
    assert.ok(diff > 1000, `pixels changed (${diff})`);
  } finally { await context.close(); }
});

test('a new map value recolours the buurten through feature-state, without loading a tile or the figures again', async () => {
  const { page, context, errors } = await openDashboard(browser, '?layers=choropleth');
  try {
    // count every tile and figures request from here on: the geometry is the tiles', the figures are feature-state
    const asked = { tiles: 0, figures: 0 };
    page.on('request', (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith('/tiles/')) asked.tiles++;
      if (p === '/api/figures') asked.figures++;
    });
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getSource('buurt-tiles')?.type), 'vector', 'the buurten come from vector tiles');
    const before = await sampleBuurtColours(page);
    const legendBefore = await page.locator('#legend [data-testid=legend-classes]').innerText();
    for (const metric of ['rate', 'change']) {
      const seq = await renderSeq(page);
      await page.check(`input[name=metric][value=${metric}]`);
      await waitForMapIdle(page, seq);
      assert.equal(new URL(page.url()).searchParams.get('metric'), metric);
      const after = await sampleBuurtColours(page);
      const ok = after.filter((s) => s.cls >= 0 && s.samples >= 3);
      assert.ok(ok.length >= 10, `enough buurten sampled (${ok.length})`);
      assert.ok(ok.filter((s) => close(s.pixel, hexToRgb(s.colour))).length / ok.length >= 0.9, `${metric}: the pixels follow the new classes`);
      // the legend shows exactly the colours the buurten now have
      const legend = await page.locator('#legend [data-testid=legend-classes] .swatch').evaluateAll((els) =>
        els.map((e) => getComputedStyle(e).backgroundColor).filter((c) => c.startsWith('rgb(')).map((c) => c.match(/\d+/g).slice(0, 3).map(Number).join(',')));
      for (const s of ok) assert.ok(legend.includes(hexToRgb(s.colour).join(',')), `${s.colour} is in the legend`);
    }
    const colourBefore = new Map(before.map((s) => [s.code, s.colour]));
    const after = await sampleBuurtColours(page);
    assert.ok(after.some((s) => colourBefore.has(s.code) && colourBefore.get(s.code) !== s.colour), 'colours changed');
    assert.notEqual(await page.locator('#legend [data-testid=legend-classes]').innerText(), legendBefore);
    assert.deepEqual(asked, { tiles: 0, figures: 0 }, 'a new map value loads no tile and no figures');
    // a new period is new data: that one does go to the worker
    const seq = await renderSeq(page);
    await page.focus('#to');
    await page.keyboard.press('Home');
    await waitForMapIdle(page, seq);
    assert.equal(asked.figures, 2, 'a new period: the figures of the buurten and the wijken once each');
    assert.equal(asked.tiles, 0, 'the same tiles for a new period');
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('period playback steps the range month by month', async () => {
  const meta = await getJson('/api/meta');
  const { page, context } = await openDashboard(browser, `?from=${meta.periods.first}&to=${meta.periods.first}&layers=choropleth`);
  try {
    await page.click('#play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
    await page.waitForFunction((f) => new URL(location.href).searchParams.get('from') > f, meta.periods.first, { timeout: 15000 });
    await page.click('#play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    const q = await pageQuery(page);
    assert.equal(q.from, q.to, 'the window keeps its length');
    assert.ok(q.from > meta.periods.first);
  } finally { await context.close(); }
});
