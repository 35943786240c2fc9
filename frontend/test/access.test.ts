// What each role gets (access.ts), from the needs the server sends in GET /api/session: the view
// tabs, the map layers, the controls, the wijk scope, the view a role lands on, and how the URL's
// state is brought within that. The needs per role are the server's grant table
// (docs/access-matrix.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accessFor, allowedWijk, applyAccess, landingView, POINT_LAYERS, roleNeutralSearch, ROLES, viewLayers } from '../src/access';
import type { Need, Role, Session } from '../src/api';
import { LAYERS, parseState, VIEW_LAYERS } from '../src/state';

/** The needs of each role, as the server grants them (see docs/access-matrix.md). */
const MAY: Record<Role, Need[]> = {
  beheerder: ['public', 'aggregates', 'points', 'planning', 'report', 'change_cameras', 'change_targets', 'change_baselines', 'change_users'],
  veiligheidsteam: ['public', 'aggregates', 'points', 'planning', 'report', 'change_cameras'],
  wijkregisseur: ['public', 'aggregates', 'points'],
  stuurgroep: ['public', 'aggregates', 'report', 'change_targets'],
};
const session = (role: Role, o: Partial<Session> = {}): Session => ({
  username: role, role, wijken: role === 'wijkregisseur' ? ['WK999902', 'WK999905'] : [], demo: false, may: MAY[role], ...o,
});
const DEFAULTS = { from: '2023-01', to: '2023-12' };

describe('accessFor: the controls of each role', () => {
  test('the tabs: Planning only with `planning`', () => {
    assert.deepEqual(accessFor(session('beheerder')).views, ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(accessFor(session('veiligheidsteam')).views, ['wijk', 'planning', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(accessFor(session('wijkregisseur')).views, ['wijk', 'stuurgroep', 'indicatoren']);
    assert.deepEqual(accessFor(session('stuurgroep')).views, ['wijk', 'stuurgroep', 'indicatoren']);
  });

  test('the point layers only with `points`; the aggregate layers for all', () => {
    for (const r of ROLES) {
      const a = accessFor(session(r));
      const points = MAY[r].includes('points');
      for (const l of POINT_LAYERS) assert.equal(a.layers.includes(l), points, `${r} ${l}`);
      for (const l of ['choropleth', 'hotspots', 'emerging', 'kde', 'wijken'] as const) assert.ok(a.layers.includes(l), `${r} ${l}`);
    }
    assert.deepEqual(accessFor(session('stuurgroep')).layers, ['choropleth', 'hotspots', 'emerging', 'kde', 'wijken']);
    assert.deepEqual(accessFor(session('beheerder')).layers, [...LAYERS]);
  });

  test('editing: cameras, targets and baselines each by their own need', () => {
    const can = (r: Role) => accessFor(session(r)).can;
    assert.deepEqual(can('beheerder'), { planning: true, points: true, editCameras: true, editTargets: true, editBaselines: true, report: true });
    assert.deepEqual(can('veiligheidsteam'), { planning: true, points: true, editCameras: true, editTargets: false, editBaselines: false, report: true });
    assert.deepEqual(can('wijkregisseur'), { planning: false, points: true, editCameras: false, editTargets: false, editBaselines: false, report: false });
    assert.deepEqual(can('stuurgroep'), { planning: false, points: false, editCameras: false, editTargets: true, editBaselines: false, report: true });
  });

  test('only the needs in `may` count, not the role name', () => {
    // a role the frontend does not know the name of gets exactly what its needs say
    const a = accessFor({ username: 'x', role: 'veiligheidsteam', wijken: [], demo: false, may: ['aggregates'] });
    assert.deepEqual(a.views, ['wijk', 'stuurgroep', 'indicatoren']);
    assert.equal(a.can.editCameras, false);
    assert.equal(a.may('points'), false);
    assert.equal(a.may('aggregates'), true);
  });

  test('a wijkregisseur is limited to their wijken; the others see the whole gemeente', () => {
    assert.deepEqual(accessFor(session('wijkregisseur')).wijken, ['WK999902', 'WK999905']);
    for (const r of ['beheerder', 'veiligheidsteam', 'stuurgroep'] as const) assert.equal(accessFor(session(r)).wijken, null);
    // without wijken there is nothing to limit to: the server decides what they see
    assert.equal(accessFor(session('wijkregisseur', { wijken: [] })).wijken, null);
  });
});

describe('landing: each role on its own view', () => {
  test('the steering group on Stuurgroep, the others on Wijk', () => {
    assert.equal(landingView(accessFor(session('stuurgroep'))), 'stuurgroep');
    for (const r of ['beheerder', 'veiligheidsteam', 'wijkregisseur'] as const) assert.equal(landingView(accessFor(session(r))), 'wijk');
  });

  test('without a view in the URL: the landing view with its layers, within what the role may use', () => {
    const st = parseState('', DEFAULTS);
    applyAccess(st, accessFor(session('stuurgroep')), '');
    assert.equal(st.view, 'stuurgroep');
    assert.deepEqual([...st.layers].sort(), [...VIEW_LAYERS.stuurgroep].sort());
    const wr = parseState('', DEFAULTS);
    applyAccess(wr, accessFor(session('wijkregisseur')), '');
    assert.equal(wr.view, 'wijk');
    assert.equal(wr.wijk, 'WK999902', 'the wijkregisseur lands on their (first) wijk');
    assert.deepEqual([...wr.layers].sort(), ['cameras', 'choropleth', 'initiatives', 'wijken']);
  });

  test('an explicit view in the URL wins when the role may see it', () => {
    const q = '?view=wijk&layers=choropleth,wijken';
    const st = parseState(q, DEFAULTS);
    applyAccess(st, accessFor(session('stuurgroep')), q);
    assert.equal(st.view, 'wijk');
    assert.deepEqual([...st.layers].sort(), ['choropleth', 'wijken']);
    const ind = parseState('?view=indicatoren', DEFAULTS);
    applyAccess(ind, accessFor(session('wijkregisseur')), '?view=indicatoren');
    assert.equal(ind.view, 'indicatoren');
  });

  test('a view the role may not see gives way to the landing view, with that view\'s layers', () => {
    const q = '?view=planning&layers=hotspots,kde,cameras';
    const st = parseState(q, DEFAULTS);
    applyAccess(st, accessFor(session('stuurgroep')), q);
    assert.equal(st.view, 'stuurgroep');
    assert.deepEqual([...st.layers].sort(), ['kde', 'wijken']);
    const wr = parseState(q, DEFAULTS);
    applyAccess(wr, accessFor(session('wijkregisseur')), q);
    assert.equal(wr.view, 'wijk');
  });

  test('layers the role may not use are dropped, also when the URL names them', () => {
    const q = '?view=wijk&layers=choropleth,heatmap,enforcement,cameras,initiatives,wijken';
    const st = parseState(q, DEFAULTS);
    applyAccess(st, accessFor(session('stuurgroep')), q);
    assert.deepEqual([...st.layers].sort(), ['choropleth', 'wijken']);
    const vt = parseState(q, DEFAULTS);
    applyAccess(vt, accessFor(session('veiligheidsteam')), q);
    assert.equal(vt.layers.size, 6, 'the safety team keeps them all');
  });

  test('a wijkregisseur stays within their wijken; the others keep the wijk of the URL', () => {
    const wr = accessFor(session('wijkregisseur'));
    assert.equal(allowedWijk('WK999905', wr), 'WK999905');
    assert.equal(allowedWijk('WK999901', wr), 'WK999902');
    assert.equal(allowedWijk(null, wr), 'WK999902');
    const vt = accessFor(session('veiligheidsteam'));
    assert.equal(allowedWijk('WK999901', vt), 'WK999901');
    assert.equal(allowedWijk(null, vt), null);
    const st = parseState('?view=wijk&wijk=WK999901', DEFAULTS);
    applyAccess(st, wr, '?view=wijk&wijk=WK999901');
    assert.equal(st.wijk, 'WK999902');
  });

  test('viewLayers: a view\'s default layers without the role\'s forbidden ones', () => {
    assert.deepEqual([...viewLayers('wijk', accessFor(session('stuurgroep')))], ['choropleth', 'wijken']);
    assert.deepEqual([...viewLayers('planning', accessFor(session('veiligheidsteam')))], VIEW_LAYERS.planning);
  });
});

describe('roleNeutralSearch: what a change of role keeps of the URL', () => {
  test('gemeente, boundary year, period, crime types, map value and language stay; the view, its layers, wijk scope and map go', () => {
    assert.equal(roleNeutralSearch('?view=planning&from=2023-06&to=2023-06&types=1.1.1,1.2&metric=rate&wijk=WK999901&buurt=BU99990101&layers=kde&map=6.6,52.3,12&k=3&lang=en'),
      '?from=2023-06&to=2023-06&types=1.1.1,1.2&metric=rate&lang=en');
    // the gemeente and boundary year are the data's scope, not the role's view
    assert.equal(roleNeutralSearch('?gemeente=GM0153&indeling=2014&view=planning&wijk=WK015301&lang=nl'), '?gemeente=GM0153&indeling=2014&lang=nl');
    assert.equal(roleNeutralSearch(''), '');
    assert.equal(roleNeutralSearch('?view=wijk'), '');
  });
});

