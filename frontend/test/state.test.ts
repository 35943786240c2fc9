// The URL is the state: parseState and stateToSearch round-trip every field, repair bad input
// to the defaults, and the month arithmetic the period control relies on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addMonths, LAYERS, monthFromIndex, monthIndex, parseState, PLAN_DEFAULTS, stateToSearch, VIEW_LAYERS, VIEWS, type State } from '../src/state';

const DEFAULTS = { from: '2023-01', to: '2023-12' };

/** A state as plain data, for deepEqual (the layers as a sorted list). */
const plain = (s: State) => ({ ...s, layers: [...s.layers].sort(), plan: { ...s.plan } });
const roundTrip = (s: State): State => parseState(stateToSearch(s), DEFAULTS);

describe('parseState', () => {
  test('an empty query gives the defaults, with the view’s default layers', () => {
    const s = parseState('', DEFAULTS);
    assert.deepEqual(plain(s), {
      view: 'wijk', gemeente: null, indeling: null, from: '2023-01', to: '2023-12', types: ['0.0.0'], metric: 'count', wijk: null, buurt: null,
      layers: [...VIEW_LAYERS.wijk].sort(), lang: 'nl', camera: null, plan: PLAN_DEFAULTS,
    });
    // each view brings its own layers when the URL names none
    for (const v of VIEWS) assert.deepEqual([...parseState(`?view=${v}`, DEFAULTS).layers].sort(), [...VIEW_LAYERS[v]].sort(), v);
  });

  test('an explicit empty layer list means no layers, not the defaults', () => {
    assert.equal(parseState('?layers=', DEFAULTS).layers.size, 0);
    assert.deepEqual([...parseState('?layers=kde,bogus,wijken,,kde', DEFAULTS).layers].sort(), ['kde', 'wijken']);
  });

  test('bad values fall back to the defaults, a reversed period is put right', () => {
    const s = parseState('?view=kaart&from=2023-13&to=23-05&metric=max&wijk=WK12&buurt=BU0363&lang=de&map=4.9,52.3', DEFAULTS);
    assert.equal(s.view, 'wijk');
    assert.equal(s.from, DEFAULTS.from);
    assert.equal(s.to, DEFAULTS.to);
    assert.equal(s.metric, 'count');
    assert.equal(s.wijk, null);
    assert.equal(s.buurt, null);
    assert.equal(s.lang, 'nl');
    assert.equal(s.camera, null, 'a camera needs lon, lat and zoom');
    const r = parseState('?from=2024-06&to=2023-02', DEFAULTS);
    assert.deepEqual([r.from, r.to], ['2023-02', '2024-06']);
    assert.equal(parseState('?map=4.9,abc,12', DEFAULTS).camera, null);
  });

  test('the scope: a gemeente code or alle, a boundary year (0: year unknown); anything else is the API\'s default', () => {
    assert.deepEqual(['?gemeente=GM0153&indeling=2021', '?gemeente=alle&indeling=0'].map((q) => { const s = parseState(q, DEFAULTS); return [s.gemeente, s.indeling]; }),
      [['GM0153', 2021], ['alle', 0]]);
    for (const q of ['?gemeente=Enschede&indeling=21', '?gemeente=gm0153&indeling=2021.5', '?gemeente=&indeling=', '?gemeente=GM01534&indeling=-1']) {
      const s = parseState(q, DEFAULTS);
      assert.deepEqual([s.gemeente, s.indeling], [null, null], q);
    }
    const s = parseState('?gemeente=alle&indeling=0', DEFAULTS);
    assert.match(stateToSearch(s), /^\?gemeente=alle&indeling=0&view=wijk&/, 'the scope first, and year 0 kept');
    assert.doesNotMatch(stateToSearch(parseState('', DEFAULTS)), /gemeente|indeling/, 'the default scope is not written');
  });

  test('crime types: only CBS-style codes are kept, none means all', () => {
    assert.deepEqual(parseState('?types=1.1.1, 2 ,x,1.2.3.4,3.5', DEFAULTS).types, ['1.1.1', '2', '3.5']);
    assert.deepEqual(parseState('?types=foo', DEFAULTS).types, ['0.0.0']);
    assert.deepEqual(parseState('?types=', DEFAULTS).types, ['0.0.0']);
  });

  test('planning parameters are range-checked', () => {
    const ok = parseState('?hs=rate&fdr=0&perm=999&step=year&bw=400&cell=50&k=8&r=200&hl=14', DEFAULTS).plan;
    assert.deepEqual(ok, { hsValue: 'rate', fdr: false, permutations: 999, step: 'year', bandwidth: 400, cell: 50, k: 8, radius: 200, halfLife: 14 });
    const bad = parseState('?hs=z&fdr=no&perm=99&step=week&bw=5&cell=10000&k=0&r=1&hl=9999', DEFAULTS).plan;
    // fdr is on unless explicitly "0"
    assert.deepEqual(bad, { ...PLAN_DEFAULTS, fdr: true });
    assert.equal(parseState('?k=3.6', DEFAULTS).plan.k, 4, 'k is a whole number of sites');
    assert.equal(parseState('?bw=', DEFAULTS).plan.bandwidth, null);
  });
});

describe('stateToSearch', () => {
  test('writes the layers in canonical order, commas readable, default planning values left out', () => {
    const s = parseState('?view=planning&layers=cameras,hotspots', DEFAULTS);
    const q = stateToSearch(s);
    assert.equal(q, '?view=planning&from=2023-01&to=2023-12&types=0.0.0&metric=count&layers=hotspots,cameras&lang=nl');
    assert.ok(!q.includes('%2C'));
  });

  test('the camera is rounded to 5 decimals (about a metre) and the zoom to 2', () => {
    const s = parseState('', DEFAULTS);
    s.camera = [4.8951234567, 52.3702987654, 12.3456];
    assert.match(stateToSearch(s), /&map=4\.89512,52\.37030,12\.35&/);
    assert.deepEqual(roundTrip(s).camera, [4.89512, 52.3703, 12.35]);
  });

  test('every field survives a round trip through the URL', () => {
    const s: State = {
      view: 'planning', gemeente: 'GM0363', indeling: 2014, from: '2022-11', to: '2023-04', types: ['1.1.1', '2.5'], metric: 'change', wijk: 'WK036301', buurt: 'BU03630105',
      layers: new Set(['hotspots', 'kde', 'cameras', 'enforcement']), lang: 'en', camera: [4.9, 52.37, 13.5],
      plan: { hsValue: 'rate', fdr: false, permutations: 999, step: 'year', bandwidth: 350, cell: 250, k: 12, radius: 90, halfLife: 7 },
    };
    assert.deepEqual(plain(roundTrip(s)), plain(s));
    // and with nothing but defaults, no layers at all
    const d = parseState('', DEFAULTS);
    d.layers = new Set();
    assert.deepEqual(plain(roundTrip(d)), plain(d));
  });

  test('parsing is idempotent: a repaired URL parses to the same state again', () => {
    for (const q of ['?from=2024-06&to=2023-02&types=1.1.1,x', '?view=stuurgroep&layers=heatmap,nope&bw=9', '?k=3.6&r=abc&metric=rate&map=1,2']) {
      const once = parseState(q, DEFAULTS);
      assert.deepEqual(plain(roundTrip(once)), plain(once), q);
    }
  });

  test('all layers and views can be written and read', () => {
    const s = parseState('', DEFAULTS);
    s.layers = new Set(LAYERS);
    for (const v of VIEWS) {
      s.view = v;
      const r = roundTrip(s);
      assert.equal(r.view, v);
      assert.deepEqual([...r.layers], [...LAYERS]);
    }
  });
});

describe('month arithmetic', () => {
  test('monthIndex and monthFromIndex are inverse, across year ends', () => {
    for (let i = monthIndex('1999-11'); i <= monthIndex('2001-02'); i++) assert.equal(monthIndex(monthFromIndex(i)), i);
    assert.equal(monthIndex('2024-01') - monthIndex('2023-12'), 1);
    assert.equal(monthFromIndex(monthIndex('2023-12') + 1), '2024-01');
  });

  test('addMonths pads the month and crosses years both ways', () => {
    assert.equal(addMonths('2023-01', -1), '2022-12');
    assert.equal(addMonths('2023-11', 14), '2025-01');
    assert.equal(addMonths('2023-05', 0), '2023-05');
    assert.equal(addMonths('2020-02', -26), '2017-12');
  });
});
