// The map on vector tiles (issue #12): the areas' geometry comes from /tiles/… (the same for
// every user), the figures from /api/figures by tile id, joined as feature-state. The buurten with
// figures are drawn in their class colour, those without (another gemeente) as "no figures", the
// labels are MapLibre symbols whose boxes do not overlap, and the national set (10,416 buurten)
// draws from tiles too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openDashboard, signInAs, apiSession, getJson, pageQuery, sampleBuurtColours, buurtTileStates, close, hexToRgb, waitForMapIdle,
  BASE_URL_ALMELO, BASE_URL_NATIONAL, PASSWORD,
} from './lib.mjs';

const noAccounts = !PASSWORD && 'no test accounts (run with scripts/e2e.sh)';
const noAlmelo = noAccounts || (!BASE_URL_ALMELO && 'no real Almelo data: ../shared/data is absent (scripts/e2e.sh starts BASE_URL_ALMELO only with it)');
const noNational = noAccounts || (!BASE_URL_NATIONAL && 'no national data: ../shared/data/nl-buurten-2014-coarse.geojson.gz is absent (scripts/e2e.sh starts BASE_URL_NATIONAL only with it)');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const qs = (q) => `from=${q.from}&to=${q.to}&types=${q.types}`;

/** Counts the requests for tiles and for the areas' GeoJSON a page makes from now on. */
function countRequests(page) {
  const asked = { tiles: 0, areasGeojson: 0, figures: 0 };
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname;
    if (p.startsWith('/tiles/')) asked.tiles++;
    if (p === '/api/areas') asked.areasGeojson++;
    if (p === '/api/figures') asked.figures++;
  });
  return asked;
}

/**
 * The box on screen of each named label of a symbol layer as MapLibre placed it: every point (on a
 * 2 px grid around the label's anchor) where queryRenderedFeatures answers with that label (it
 * answers with a symbol's placed collision box), its bounding box, and the points that hit two of
 * the labels at once. null for a label that is not rendered (left out by the collision detection).
 */
async function labelBoxes(page, layer, names) {
  return page.evaluate(({ layer, names }) => {
    const map = window.wijkveilig.map;
    const c = map.getCanvas();
    const rendered = map.queryRenderedFeatures({ layers: [layer] });
    const boxes = {};
    const hits = new Map();
    for (const n of names) {
      const f = rendered.find((x) => x.properties.name === n);
      if (!f) { boxes[n] = null; continue; }
      const p = map.project(f.geometry.coordinates);
      let b = null;
      for (let y = Math.max(0, p.y - 70); y <= Math.min(c.clientHeight, p.y + 70); y += 2) {
        for (let x = Math.max(0, p.x - 200); x <= Math.min(c.clientWidth, p.x + 200); x += 2) {
          const at = map.queryRenderedFeatures([x, y], { layers: [layer] }).map((h) => h.properties.name).filter((h) => names.includes(h));
          if (!at.includes(n)) continue;
          b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
          const k = `${x},${y}`;
          hits.set(k, new Set([...(hits.get(k) ?? []), ...at]));
        }
      }
      boxes[n] = b;
    }
    const shared = [...hits].filter(([, s]) => s.size > 1).map(([k, s]) => `${k}: ${[...s].join(' + ')}`);
    return { boxes, shared };
  }, { layer, names });
}

const intersects = (a, b) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/** Zooms in on the named labels (by their wijken's bounds from meta) until all are rendered, or gives up after a few steps. */
async function zoomUntilRendered(page, layer, names, bounds) {
  for (let step = 0; step < 6; step++) {
    const rendered = await page.evaluate(({ layer }) => window.wijkveilig.map.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.name), { layer });
    if (names.every((n) => rendered.includes(n))) return rendered;
    await page.evaluate(({ b, step }) => {
      const map = window.wijkveilig.map;
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 120 - step * 20, animate: false });
      if (step > 2) map.setZoom(map.getZoom() + (step - 2) * 0.5);
    }, { b: bounds, step });
    await page.evaluate(() => window.wijkveilig.idle());
  }
  return page.evaluate(({ layer }) => window.wijkveilig.map.queryRenderedFeatures({ layers: [layer] }).map((f) => f.properties.name), { layer });
}

/** The union of the bboxes of the named wijken in meta. */
function wijkBounds(meta, names) {
  const ws = meta.wijken.filter((w) => names.includes(w.name));
  assert.equal(ws.length, names.length, `the wijken ${names} are in meta (${meta.wijken.map((w) => w.name)})`);
  return [Math.min(...ws.map((w) => w.bbox[0])), Math.min(...ws.map((w) => w.bbox[1])), Math.max(...ws.map((w) => w.bbox[2])), Math.max(...ws.map((w) => w.bbox[3]))];
}

test('the map draws the buurten from vector tiles, with the figures of /api/figures as feature-state by tile id', async () => {
  const { page, context, errors } = await openDashboard(browser, '?layers=choropleth,wijken');
  try {
    const ts = await page.evaluate(() => window.wijkveilig.tiles());
    assert.ok(ts && ts.tiles.buurt && ts.tiles.wijk, 'the app has the tile set');
    const src = await page.evaluate(() => { const s = window.wijkveilig.map.getSource('buurt-tiles'); return s && { type: s.type, tiles: s.tiles }; });
    assert.equal(src?.type, 'vector');
    assert.ok(src.tiles[0].includes('/tiles/buurt/{z}/{x}/{y}.mvt'), src.tiles[0]);
    assert.equal(await page.evaluate(() => window.wijkveilig.map.getSource('buurten')), undefined, 'no GeoJSON source of the buurten');
    const q = await pageQuery(page);
    const figures = await getJson(`/api/figures?level=buurt&${qs(q)}`);
    assert.ok(figures.areas.length >= 10, `figures for the buurten (${figures.areas.length})`);
    const byCode = new Map(figures.areas.map((a) => [a.code, a]));
    const tiles = await buurtTileStates(page);
    const joined = tiles.filter((t) => byCode.has(t.code));
    assert.ok(joined.length >= figures.areas.length * 0.9, `the buurten with figures are in the tiles (${joined.length} of ${figures.areas.length})`);
    for (const t of joined) {
      assert.equal(t.id, byCode.get(t.code).id, `${t.code}: the tile id is the figures' id`);
      assert.equal(typeof t.state.colour, 'string', `${t.code} has its colour as feature-state`);
      assert.equal(typeof t.state.cls, 'number', `${t.code} has its class as feature-state`);
    }
    for (const t of tiles.filter((x) => !byCode.has(x.code))) assert.equal(t.state.colour, undefined, `${t.code} has no figures: no colour`);
    // rendered: queryRenderedFeatures answers with tile features that carry the state
    const rendered = await page.evaluate(() => window.wijkveilig.map.queryRenderedFeatures({ layers: ['buurt-fill'] }).filter((f) => f.state.colour).length);
    assert.ok(rendered >= 10, `rendered buurten with feature-state (${rendered})`);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('the demo town\'s wijk labels are symbols that do not overlap: Lindendorp and De Beekzoom', async () => {
  const meta = await getJson('/api/meta');
  const names = ['Lindendorp', 'De Beekzoom'];
  const { page, context, errors } = await openDashboard(browser, '?layers=choropleth,wijken');
  try {
    const rendered = await zoomUntilRendered(page, 'wijk-label', names, wijkBounds(meta, names));
    for (const n of names) assert.ok(rendered.includes(n), `${n} is rendered (${rendered})`);
    const layout = await page.evaluate(() => ({ overlap: window.wijkveilig.map.getLayoutProperty('wijk-label', 'text-allow-overlap'), anchors: window.wijkveilig.map.getLayoutProperty('wijk-label', 'text-variable-anchor') }));
    assert.notEqual(layout.overlap, true, 'collision detection is on');
    const { boxes, shared } = await labelBoxes(page, 'wijk-label', names);
    for (const n of names) assert.ok(boxes[n], `${n} has a box on screen`);
    assert.ok(!intersects(boxes[names[0]], boxes[names[1]]), `the boxes do not intersect: ${JSON.stringify(boxes)}`);
    assert.deepEqual(shared, [], 'no point of the map is under both labels');
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('real Almelo: the wijk labels Schelfhorst and Sluitersveld are rendered apart; a known buurt shows its class colour', { skip: noAlmelo }, async () => {
  const api = await apiSession('veiligheidsteam', BASE_URL_ALMELO);
  const meta = await api.get('/api/meta');
  const names = ['Schelfhorst', 'Sluitersveld'];
  const { page, context, errors } = await signInAs(browser, 'veiligheidsteam', '?view=wijk&layers=choropleth,wijken', BASE_URL_ALMELO);
  try {
    const asked = countRequests(page);
    // the buurt with the most registered crimes is in the top class: its pixels are the legend's last class colour
    const q = await pageQuery(page);
    const figures = await api.get(`/api/figures?level=buurt&${qs(q)}`);
    const top = figures.areas.filter((a) => a.count != null).sort((a, b) => b.count - a.count)[0];
    const legend = await page.locator('[data-testid=legend-classes] .swatch').evaluateAll((els) =>
      els.map((e) => getComputedStyle(e).backgroundColor).filter((c) => c.startsWith('rgb(')).map((c) => c.match(/\d+/g).slice(0, 3).map(Number)));
    assert.ok(legend.length >= 3, `legend classes (${legend.length})`);
    const samples = await sampleBuurtColours(page, 8);
    const s = samples.find((x) => x.code === top.code);
    assert.ok(s && s.samples >= 3, `${top.name} (${top.code}) is sampled on the map`);
    assert.ok(close(s.pixel, legend[legend.length - 1], 8), `${top.name} is drawn in the top class colour: ${s.pixel} vs ${legend[legend.length - 1]}`);
    assert.ok(close(s.pixel, hexToRgb(s.colour), 8), 'and in its feature-state colour');
    // the labels
    const rendered = await zoomUntilRendered(page, 'wijk-label', names, wijkBounds(meta, names));
    for (const n of names) assert.ok(rendered.includes(n), `${n} is rendered (${rendered})`);
    const { boxes, shared } = await labelBoxes(page, 'wijk-label', names);
    for (const n of names) assert.ok(boxes[n], `${n} has a box on screen`);
    assert.ok(!intersects(boxes[names[0]], boxes[names[1]]), `the boxes do not intersect: ${JSON.stringify(boxes)}`);
    assert.deepEqual(shared, []);
    assert.equal(asked.areasGeojson, 0, 'no GeoJSON of the areas');
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});

test('national 2014 set: the country from tiles, Almelo\'s buurten coloured, other gemeenten\'s buurten without figures drawn as such', { skip: noNational }, async () => {
  const api = await apiSession('veiligheidsteam', BASE_URL_NATIONAL);
  const ts = await api.get('/api/tiles?indeling=2014');
  assert.equal(ts.boundary_year, 2014);
  const { page, context, errors } = await signInAs(browser, 'veiligheidsteam', '?view=wijk&gemeente=alle&indeling=2014&layers=choropleth,wijken', BASE_URL_NATIONAL);
  try {
    const asked = countRequests(page);
    // the whole country in view: buurten of many gemeenten rendered from the tiles
    const country = await page.evaluate(() => {
      const fs = window.wijkveilig.map.queryRenderedFeatures({ layers: ['buurt-fill'] });
      return { codes: new Set(fs.map((f) => f.properties.code)).size, gemeenten: new Set(fs.map((f) => f.properties.code.slice(2, 6))).size, zoom: window.wijkveilig.map.getZoom() };
    });
    assert.ok(country.zoom < 9, `the country's scale (zoom ${country.zoom.toFixed(1)})`);
    assert.ok(country.gemeenten >= 100, `buurten of ${country.gemeenten} gemeenten rendered`);
    assert.ok(country.codes >= 2000, `${country.codes} buurten rendered`);
    // Almelo alone: its buurten in their colours, the neighbours' without figures
    await page.goto(`${BASE_URL_NATIONAL}/?view=wijk&gemeente=GM0141&indeling=2014&layers=choropleth,wijken`);
    await waitForMapIdle(page);
    await page.evaluate(() => window.wijkveilig.map.zoomOut({ animate: false }));
    await page.evaluate(() => window.wijkveilig.idle());
    const states = await buurtTileStates(page);
    const almelo = states.filter((s) => s.code.startsWith('BU0141'));
    const others = states.filter((s) => !s.code.startsWith('BU0141'));
    assert.ok(almelo.length >= 40, `Almelo's buurten in the tiles (${almelo.length})`);
    assert.ok(others.length >= 20, `neighbouring gemeenten's buurten in the tiles (${others.length})`);
    assert.ok(almelo.every((s) => typeof s.state.colour === 'string'), 'every Almelo buurt has its figures');
    assert.ok(others.every((s) => s.state.colour === undefined && s.state.cls === undefined), 'no other gemeente\'s buurt is drawn as a value');
    assert.equal(asked.areasGeojson, 0, 'no GeoJSON of the areas');
    assert.ok(asked.tiles > 0, 'tiles were loaded');
    assert.match(await page.getByTestId('legend-outside').innerText(), /geen cijfers/);
    assert.deepEqual(errors, []);
  } finally { await context.close(); }
});
