// Planning view (issue #4) for the safety team: Gi* hotspot classes, emerging hot spots, the KDE
// surface, camera coverage, suggested camera sites, camera editing with what-if, patrol list.
// Every analysis is a Slot (load.ts), loaded from the API when the view (or its map layer) needs
// it and kept by its query; each panel section re-renders on its own when its slot changes.
import type { App } from '../app';
import { api, type CameraInput, type Coverage, type Emerging, type Hotspots, type Kde, type Patrol, type Placement, queryKey, type Share, type WhatIf } from '../api';
import { h, swap, type Child } from '../dom';
import { byRank } from '../figures';
import { fmt, t, type Key } from '../i18n';
import { binClass, EMERGING_COLOURS, EMERGING_ORDER, HOT_CLASSES, HOT_COLOURS, KDE_GRADIENT } from '../kde';
import { emergingRefusal, emergingStep, excludedNote, hotspotRefusal } from '../emerging';
import { errorText, Slot, statusNote } from '../load';
import { SUGGEST_COLOUR, UNCOVERED_COLOUR } from '../map';
import type { State } from '../state';
import { buurtButton } from './parts';

let app: App;

/** An analysis whose section (and the legend) re-render whenever it loads, arrives or fails. */
function analysis<T>(name: 'hotspots' | 'emerging' | 'kde' | 'coverage' | 'patrol' | 'placement'): Slot<T> {
  return new Slot<T>({ name, onChange: () => { renderSection(name); app.renderLegend(); } });
}

/**
 * An analysis the server may refuse for a reason that lies in the data (emerging hot spots with
 * too few time steps; Gi* on a scope without figures, on which coverage rests too): its answer,
 * or the sentence saying why there is none. Any other failure stays an error.
 */
interface Refusable<T> { data: T | null; refusal: string | null }
async function refusable<T>(f: () => Promise<T>, why: (err: unknown) => string | null): Promise<Refusable<T>> {
  try {
    return { data: await f(), refusal: null };
  } catch (err) {
    const refusal = why(err);
    if (refusal === null) throw err;
    return { data: null, refusal };
  }
}

const S = {
  hotspots: analysis<Refusable<Hotspots>>('hotspots'),
  emerging: analysis<Refusable<Emerging>>('emerging'),
  kde: analysis<Kde>('kde'),
  coverage: analysis<Refusable<Coverage>>('coverage'),
  patrol: analysis<Patrol>('patrol'),
  /** suggested camera sites, for the k and radius they were asked with */
  placement: analysis<{ result: Placement; k: number; radius: number }>('placement'),
  /** the coverage with the camera being edited */
  whatif: new Slot<WhatIf>({ name: 'whatif', onChange: () => renderWhatIf() }),
};

interface Draft { id: string | null; name: string; lon: number; lat: number; radius_m: number; status: 'active' | 'planned' }
let draft: Draft | null = null;
let placing = false;
let editMsg = '';
/** coverage before the last save, to show before/after */
let savedCompare: { before: Share; label: string } | null = null;

export function initPlanning(a: App): void { app = a; }

/**
 * Whether the database has incident points at all (meta's count). Without them the density map,
 * coverage, suggestions and patrol list have nothing to work on, which is another sentence than
 * "none in this period": the data as it often comes (CBS figures per buurt) has no points.
 */
const noIncidentFile = (): boolean => app.meta.counts.incidents === 0;

/** Why the density map is empty, or null when it has points. */
function kdeEmpty(d: Kde | null): string | null {
  if (!d || d.points) return null;
  return noIncidentFile() ? t('kde_no_file') : t('empty_kde');
}

// ---------- loading ----------
/** Loads whatever the current view and layers need; cheap when nothing changed. */
export function ensure(): void {
  const st = app.state;
  const q = app.query();
  const k = queryKey(q);
  const p = st.plan;
  const planning = st.view === 'planning';
  if (planning || st.layers.has('hotspots')) {
    void S.hotspots.load(`${k}|${p.hsValue}|${p.permutations}|${p.fdr}`, (sg) => refusable(() => api.hotspots(q, { value: p.hsValue, permutations: p.permutations, fdr: p.fdr }, sg), giRefusal), (d) => {
      app.map.setHotspots(d?.data ?? null);
      syncUncovered();
    });
  }
  if (planning || st.layers.has('emerging')) {
    const step = emergingStep(app.meta.periods.monthly, p.step);
    void S.emerging.load(`${k}|${step}`, (sg) => refusable(() => api.emerging(q, step, sg), emergingRefusal), (d) => app.map.setEmerging(d?.data ?? null));
  }
  if (st.layers.has('kde') || st.view === 'stuurgroep' || planning) {
    void S.kde.load(`${k}|${p.cell}|${p.bandwidth ?? ''}`, (sg) => api.kde(q, { cell_m: p.cell, bandwidth_m: p.bandwidth }, sg), (d) => app.map.setKde(d));
  }
  if (planning) {
    void S.coverage.load(`${k}|${camKey()}`, (sg) => refusable(() => api.coverage(q, sg), giRefusal), () => syncUncovered());
    void S.patrol.load(`${k}|${p.halfLife}`, (sg) => api.patrol(q, p.halfLife, 10, sg));
  }
  const pl = S.placement.data;
  if (pl && (pl.k !== p.k || pl.radius !== p.radius)) { S.placement.reset(); app.map.setSuggestions([], 0, () => ''); }
}

const camKey = (): string => JSON.stringify((app.cameras.data?.features ?? []).map((f) => [f.properties.id, f.properties.status, f.properties.radius_m, f.geometry.coordinates]));

/**
 * Gi* (hot spots, and the coverage of the hot buurten) refused: the values sum to zero. In a scope
 * without any offence figure (a gemeente the figures do not cover) that is "no figures", not 0.
 */
const giRefusal = (err: unknown): string | null => hotspotRefusal(err, app.scopedBuurten().some((b) => b.count != null), app.scopeLabel());

function syncUncovered(): void {
  const c = S.coverage.data?.data;
  app.map.setUncovered(c ? c.uncovered_hotspots.map((u) => u.code) : [], c ? c.uncovered_cells : []);
}

function setPlan(patch: Partial<State['plan']>): void {
  Object.assign(app.state.plan, patch);
  app.syncUrl();
  ensure();
}

// ---------- sections ----------
const SECTIONS = ['hotspots', 'emerging', 'kde', 'coverage', 'placement', 'edit', 'patrol'] as const;
type Section = (typeof SECTIONS)[number];
const RENDER: Record<Section, () => Child[]> = {
  hotspots: hotspotSection, emerging: emergingSection, kde: kdeSection, coverage: coverageSection,
  placement: placementSection, edit: editSection, patrol: patrolSection,
};
const TITLES: Record<Section, Key> = {
  hotspots: 'hs_title', emerging: 'em_title', kde: 'kde_title', coverage: 'cov_title', placement: 'place_title', edit: 'edit_title', patrol: 'patrol_title',
};

/** The sections the role gets: camera editing only with `change_cameras`. */
export function planningSections(): HTMLElement[] {
  return SECTIONS.filter((s) => s !== 'edit' || app.access.can.editCameras).map((s) => h('section', {
    class: 'panel-section plan-section', id: s === 'hotspots' ? 'hotspot-layers' : `plan-${s}`, 'data-section': s,
    'aria-labelledby': `plan-${s}-title`,
  }, h('h3', { id: `plan-${s}-title` }, t(TITLES[s])), h('div', { class: 'plan-body' }, RENDER[s]())));
}

function renderSection(s: Section): void {
  const el = document.querySelector(`[data-section="${s}"] .plan-body`);
  if (el) swap(el, RENDER[s]());
}

const radio = (name: string, value: string, label: string, checked: boolean, onchange: () => void): HTMLElement =>
  h('label', { class: 'radio' }, h('input', { type: 'radio', name, value, checked, onchange }), ` ${label}`);

function hotspotSection(): Child[] {
  const p = app.state.plan;
  const d = S.hotspots.data?.data ?? null;
  const refusal = S.hotspots.data?.refusal ?? null;
  const feats = d?.features ?? [];
  const counts = new Map<string, number>();
  for (const f of feats) counts.set(f.properties.class, (counts.get(f.properties.class) ?? 0) + 1);
  const hot = feats.filter((f) => f.properties.bin > 0).sort((a, b) => (b.properties.z ?? 0) - (a.properties.z ?? 0)).slice(0, 10);
  return [
    h('div', { class: 'plan-controls' },
      h('fieldset', { class: 'inline' }, h('legend', {}, t('hs_value')),
        radio('hs-value', 'count', t('metric_count'), p.hsValue === 'count', () => setPlan({ hsValue: 'count' })),
        radio('hs-value', 'rate', t('metric_rate'), p.hsValue === 'rate', () => setPlan({ hsValue: 'rate' }))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'hs-fdr', checked: p.fdr, onchange: (e: Event) => setPlan({ fdr: (e.target as HTMLInputElement).checked }) }), ` ${t('hs_fdr')}`),
      h('div', { class: 'field' }, h('label', { for: 'hs-perm' }, t('hs_perm')),
        h('select', { id: 'hs-perm', onchange: (e: Event) => setPlan({ permutations: (e.target as HTMLSelectElement).value === '999' ? 999 : 0 }) },
          h('option', { value: '0', selected: p.permutations === 0 }, t('hs_perm_0')),
          h('option', { value: '999', selected: p.permutations === 999 }, t('hs_perm_999'))))),
    statusNote(S.hotspots, refusal ?? (d && !d.features.length ? t('empty_hotspots') : null)),
    d ? h('div', { class: 'hs-notes small' },
      d.excluded.length ? h('p', { class: 'muted', 'data-testid': 'hs-excluded' }, excludedNote(d.excluded, 'hs_excluded')) : null,
      d.empirical_bayes ? h('p', { class: 'badge-line', 'data-testid': 'eb-note' }, h('span', { class: 'badge' }, t('hs_eb'))) : null,
      h('p', { class: 'muted' }, t('hs_notes', { fdr: d.fdr ? t('on') : t('off'), w: d.weights?.kind ?? '–', perm: p.permutations })),
      d.weights?.islands.length ? h('p', { class: 'muted' }, t('hs_islands', { n: d.weights.islands.length })) : null) : null,
    d ? h('ul', { class: 'legend-list hs-counts', 'data-testid': 'hs-classes' }, HOT_CLASSES.map((c) =>
      h('li', { 'data-class': c }, h('span', { class: 'swatch', style: `background:${HOT_COLOURS[c]}`, 'aria-hidden': 'true' }), h('span', {}, `${t(`hs_${c}` as Key)}: ${fmt.int(counts.get(c) ?? 0)}`)))) : null,
    hot.length ? h('ol', { class: 'ranked small', 'data-testid': 'hot-list' }, hot.map((f) => h('li', { 'data-code': f.properties.code },
      h('button', { type: 'button', class: 'link', onclick: () => app.selectBuurt(f.properties.code, true) }, f.properties.name),
      h('span', { class: 'ranked-fig' }, `z = ${fmt.num(f.properties.z, 2)} · ${t(`hs_${f.properties.class}` as Key)}`)))) : d ? h('p', { class: 'small muted' }, t('hs_none_hot')) : null,
  ];
}

function emergingSection(): Child[] {
  const p = app.state.plan;
  const monthly = app.meta.periods.monthly;
  const step = emergingStep(monthly, p.step);
  const refusal = S.emerging.data?.refusal ?? null;
  const d = S.emerging.data?.data ?? null;
  const by = new Map<string, { code: string; name: string }[]>();
  for (const f of d?.features ?? []) {
    if (f.properties.category === 'none') continue;
    const l = by.get(f.properties.category) ?? [];
    l.push({ code: f.properties.code, name: f.properties.name });
    by.set(f.properties.category, l);
  }
  const cats = [...EMERGING_ORDER.map((c) => `${c}_hot`), ...EMERGING_ORDER.map((c) => `${c}_cold`)].filter((c) => by.has(c));
  for (const c of by.keys()) if (!cats.includes(c)) cats.push(c);
  return [
    h('div', { class: 'plan-controls' },
      h('div', { class: 'field' }, h('label', { for: 'em-step' }, t('em_step')),
        h('select', { id: 'em-step', onchange: (e: Event) => setPlan({ step: (e.target as HTMLSelectElement).value === 'year' ? 'year' : 'month' }) },
          // yearly-only data has no months to step through
          h('option', { value: 'month', selected: step === 'month', disabled: !monthly, title: monthly ? null : t('em_month_yearly') }, t('em_month')), h('option', { value: 'year', selected: step === 'year' }, t('em_year')))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'em-layer', checked: app.state.layers.has('emerging'), onchange: (e: Event) => toggleLayerBox('emerging', (e.target as HTMLInputElement).checked) }), ` ${t('em_show')}`)),
    statusNote(S.emerging),
    monthly ? null : h('p', { class: 'small muted' }, t('em_month_yearly')),
    refusal ? h('p', { class: 'small muted empty-note', 'data-testid': 'emerging-refusal' }, refusal) : null,
    d?.excluded.length ? h('p', { class: 'small muted', 'data-testid': 'em-excluded' }, excludedNote(d.excluded, 'em_excluded')) : null,
    d ? h('p', { class: 'small muted' }, t('em_steps', { n: d.steps.length, a: d.steps[0] ?? '–', b: d.steps[d.steps.length - 1] ?? '–' })) : null,
    d && !cats.length ? h('p', { class: 'small muted' }, t('em_none')) : null,
    cats.length ? h('ul', { class: 'plain small em-list', 'data-testid': 'emerging-list' }, cats.map((c) => h('li', { 'data-category': c },
      h('span', { class: 'swatch', style: `background:${EMERGING_COLOURS[c] ?? '#fff'}`, 'aria-hidden': 'true' }), ' ',
      h('strong', {}, emergingLabel(c)), ` (${(by.get(c) ?? []).length}): `,
      (by.get(c) ?? []).slice(0, 8).map((b, i) => [i ? ', ' : '', h('button', { type: 'button', class: 'link', onclick: () => app.selectBuurt(b.code, true) }, b.name)]),
      (by.get(c) ?? []).length > 8 ? ' …' : ''))) : null,
  ];
}

export function emergingLabel(c: string): string {
  const m = /^(\w+?)_(hot|cold)$/.exec(c);
  if (!m) return c;
  return `${t(`em_${m[1]}` as Key)} ${t(m[2] === 'hot' ? 'em_hot' : 'em_cold')}`;
}

function toggleLayerBox(layer: 'emerging' | 'kde', on: boolean): void {
  // the sidebar's layer checkbox does the work (state, map, URL, legend)
  const box = document.querySelector<HTMLInputElement>(`input[name=layer][value=${layer}]`);
  if (box && box.checked !== on) box.click();
}

function kdeSection(): Child[] {
  const p = app.state.plan;
  const d = S.kde.data;
  return [
    h('div', { class: 'plan-controls' },
      h('div', { class: 'field' }, h('label', { for: 'kde-bw' }, t('kde_bw')),
        h('input', { type: 'number', id: 'kde-bw', min: 50, max: 5000, step: 10, inputmode: 'numeric', value: p.bandwidth ?? '', placeholder: d?.default_bandwidth_m != null ? String(Math.round(d.default_bandwidth_m)) : '',
          onchange: (e: Event) => { const v = Number((e.target as HTMLInputElement).value); setPlan({ bandwidth: (e.target as HTMLInputElement).value && v >= 10 ? v : null }); } })),
      h('div', { class: 'field' }, h('label', { for: 'kde-cell' }, t('kde_cell')),
        h('select', { id: 'kde-cell', onchange: (e: Event) => { const v = (e.target as HTMLSelectElement).value; setPlan({ cell: v ? Number(v) : null }); } },
          // automatic: the server's grid (100 m for a gemeente, coarser for the whole country)
          h('option', { value: '', selected: p.cell === null }, d?.cell_m != null && p.cell === null ? `${t('kde_cell_auto')} (${fmt.int(d.cell_m)} m)` : t('kde_cell_auto')),
          [50, 100, 200, 250].map((c) => h('option', { value: c, selected: p.cell === c }, `${c} m`)))),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'kde-layer', checked: app.state.layers.has('kde'), onchange: (e: Event) => toggleLayerBox('kde', (e.target as HTMLInputElement).checked) }), ` ${t('kde_show')}`)),
    statusNote(S.kde, kdeEmpty(d)),
    d?.points ? h('p', { class: 'small muted', 'data-testid': 'kde-info' }, t('kde_info', {
      bw: fmt.int(d.bandwidth_m), def: fmt.int(d.default_bandwidth_m), cell: fmt.int(d.cell_m), n: fmt.int(d.points), max: fmt.num(d.max, 1),
    })) : null,
  ];
}

function shareTile(label: string, s: Share | undefined, testid: string): HTMLElement {
  return h('div', { class: 'tile' },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value', 'data-testid': testid }, fmt.share(s?.share)),
    h('div', { class: 'tile-note' }, s ? t('n_of_m', { n: fmt.int(s.covered), m: fmt.int(s.total) }) : ''));
}

function coverageSection(): Child[] {
  const data = S.coverage.data?.data ?? null;
  // without incidents a share of 0 of 0 would read as "no camera sees anything": a sentence instead
  const none = data && !data.incidents.total ? (noIncidentFile() ? t('cov_no_file') : t('cov_none')) : null;
  const c = none ? null : data;
  const refusal = S.coverage.data?.refusal ?? null;
  return [
    statusNote(S.coverage, refusal ?? none),
    // Gi* refused, and the incidents are missing too: that is said as well
    refusal && noIncidentFile() ? h('p', { class: 'small muted' }, t('cov_no_file')) : null,
    c ? h('div', { class: 'tiles' },
      shareTile(t('cov_incidents'), c.incidents, 'cov-incidents'),
      shareTile(t('cov_cells'), c.hotspot_cells, 'cov-cells')) : null,
    c ? h('p', { class: 'small muted' }, t('cov_active', { n: fmt.int(c.cameras_active) })) : null,
    savedCompare && c ? h('p', { class: 'small compare', 'data-testid': 'cov-saved-compare' },
      t('cov_saved', { what: savedCompare.label, a: fmt.share(savedCompare.before.share), b: fmt.share(c.incidents.share) })) : null,
    // the hot buurten no active camera sees come from the figures per buurt, not from points
    data ? h('h4', {}, h('span', { class: 'swatch', style: `border:2px dashed ${UNCOVERED_COLOUR};background:transparent`, 'aria-hidden': 'true' }), ` ${t('cov_uncovered', { n: data.uncovered_hotspots.length })}`) : null,
    data && data.uncovered_hotspots.length ? h('ul', { class: 'plain small', 'data-testid': 'uncovered' }, data.uncovered_hotspots.map((u) => h('li', { 'data-code': u.code },
      h('button', { type: 'button', class: 'link', onclick: () => app.selectBuurt(u.code, true) }, u.name),
      ` · z = ${fmt.num(u.z, 2)} · ${t(`hs_${binClass(u.bin)}` as Key)}`))) : null,
    c && c.uncovered_cells.length ? h('p', { class: 'small muted' }, t('cov_cells_open', { n: fmt.int(c.uncovered_cells.length) })) : null,
  ];
}

function placementSection(): Child[] {
  const p = app.state.plan;
  const r = S.placement.data?.result;
  return [
    h('form', { class: 'plan-controls', onsubmit: (e: Event) => { e.preventDefault(); runPlacement(); } },
      h('div', { class: 'field' }, h('label', { for: 'place-k' }, t('place_k')),
        h('input', { type: 'number', id: 'place-k', min: 1, max: 50, step: 1, value: p.k, onchange: (e: Event) => setPlan({ k: Math.max(1, Math.min(50, Math.round(Number((e.target as HTMLInputElement).value) || 1))) }) })),
      h('div', { class: 'field' }, h('label', { for: 'place-r' }, t('place_r')),
        h('input', { type: 'number', id: 'place-r', min: 10, max: 2000, step: 10, value: p.radius, onchange: (e: Event) => setPlan({ radius: Math.max(10, Number((e.target as HTMLInputElement).value) || 150) }) })),
      h('button', { type: 'submit', class: 'btn btn-small', id: 'place-run' }, t('place_run'))),
    statusNote(S.placement, r && !r.chosen.length ? (noIncidentFile() ? t('place_no_file') : t('place_none')) : null),
    r?.chosen.length ? h('p', { class: 'small' }, t('place_result', { a: fmt.int(r.covered_before), b: fmt.int(r.covered_after), n: fmt.int(r.total),
      sa: fmt.share(r.total ? r.covered_before / r.total : null), sb: fmt.share(r.total ? r.covered_after / r.total : null) })) : null,
    r?.chosen.length ? h('ol', { class: 'ranked small', 'data-testid': 'suggestions' }, r.chosen.map((c, i) => h('li', {},
      h('span', { class: 'suggest-dot', style: `border-color:${SUGGEST_COLOUR}`, 'aria-hidden': 'true' }, String(i + 1)), ' ',
      t('place_site', { gain: fmt.int(c.gain), lat: c.lat.toFixed(5), lon: c.lon.toFixed(5) }), ' ',
      h('button', { type: 'button', class: 'link', onclick: () => startDraft({ id: null, name: t('place_name', { n: i + 1 }), lon: c.lon, lat: c.lat, radius_m: S.placement.data?.radius ?? p.radius, status: 'planned' }) }, t('place_adopt'))))) : null,
    r?.chosen.length ? h('p', { class: 'small muted', 'data-testid': 'bound-note', title: r.bound }, t('place_bound')) : null,
  ];
}

function runPlacement(): void {
  const p = app.state.plan;
  const q = app.query();
  const { k, radius } = p;
  void S.placement.load(`${queryKey(q)}|${k}|${radius}`, async (sg) => ({ result: await api.placement(q, k, radius, sg), k, radius }), (d) => {
    if (d) app.map.setSuggestions(d.result.chosen, radius, (i) => t('place_site', { gain: fmt.int(d.result.chosen[i]?.gain ?? 0), lat: '', lon: '' }));
  });
}

// ---------- camera editing ----------
function startDraft(d: Draft): void {
  draft = d;
  S.whatif.reset();
  editMsg = '';
  showDraft();
  renderSection('edit');
  runWhatIf();
  document.getElementById('cam-name')?.focus();
}

function showDraft(): void {
  const m = app.map;
  if (!draft) { m.setDraft(null, 0); m.setPlacing(false); placing = false; return; }
  m.setDraft([draft.lon, draft.lat], draft.radius_m, (lon, lat) => { if (draft) { draft.lon = lon; draft.lat = lat; renderSection('edit'); runWhatIf(); } });
}

/** The map calls this in placing mode. */
export function placeAt(lon: number, lat: number): void {
  if (!draft) return;
  draft.lon = lon;
  draft.lat = lat;
  placing = false;
  app.map.setPlacing(false);
  showDraft();
  renderSection('edit');
  runWhatIf();
}

/**
 * The camera set the what-if compares with today's: the stored cameras, with the one being
 * edited as an active camera. Only active cameras count in a coverage, so a planned camera counted
 * as planned would never move the figure: the what-if answers "what does this camera add once it
 * is active?", whatever status it is saved with (the form's sentence says which).
 */
function proposedSet(): CameraInput[] {
  const cams: CameraInput[] = (app.cameras.data?.features ?? []).map((f) => ({
    id: f.properties.id, name: f.properties.name, lon: f.geometry.coordinates[0] as number, lat: f.geometry.coordinates[1] as number, radius_m: f.properties.radius_m, status: f.properties.status,
  }));
  if (!draft) return cams;
  const d: CameraInput = { name: draft.name, lon: draft.lon, lat: draft.lat, radius_m: draft.radius_m, status: 'active', ...(draft.id ? { id: draft.id } : { id: 'voorstel' }) };
  const i = draft.id ? cams.findIndex((c) => c.id === draft?.id) : -1;
  if (i >= 0) cams[i] = d; else cams.push(d);
  return cams;
}

/** The coverage with the camera being edited, as the API computes it for the proposed camera set. */
function runWhatIf(): void {
  if (!draft) return;
  const q = app.query();
  const cams = proposedSet();
  // the status is not in the key: the proposal counts the camera as active either way
  const where = [draft.id, draft.name, draft.lon, draft.lat, draft.radius_m];
  void S.whatif.load(`${queryKey(q)}|${JSON.stringify(where)}`, (sg) => api.whatIf(q, cams, sg));
}

function whatIfBlock(): Child {
  if (!draft) return null;
  const w = S.whatif.data;
  if (S.whatif.status !== 'ready' || !w) return statusNote(S.whatif);
  const planned = draft.status === 'planned';
  const explain = h('p', { class: 'small muted', 'data-testid': 'wi-explain' }, t(planned ? 'wi_explain_planned' : 'wi_explain_active'));
  if (!w.before.total) return h('div', { class: 'whatif', 'data-testid': 'whatif' }, h('p', { class: 'small muted empty-note', 'data-testid': 'wi-none' }, t('wi_no_incidents')));
  return h('div', { class: 'whatif', 'data-testid': 'whatif' },
    h('div', { class: 'tiles' },
      h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, t('wi_before')), h('div', { class: 'tile-value', 'data-testid': 'wi-before' }, fmt.share(w.before.share))),
      h('div', { class: 'tile' }, h('div', { class: 'tile-label', 'data-testid': 'wi-after-label' }, t(planned ? 'wi_after_planned' : 'wi_after')), h('div', { class: 'tile-value', 'data-testid': 'wi-after' }, fmt.share(w.after.share)))),
    h('p', { class: 'small' }, t('wi_gained', { g: fmt.int(w.gained), l: fmt.int(w.lost) })),
    explain);
}

function renderWhatIf(): void {
  const el = document.getElementById('whatif-slot');
  if (el) swap(el, whatIfBlock());
}

function editSection(): Child[] {
  const cams = app.cameras.data?.features ?? [];
  const active = cams.filter((c) => c.properties.status === 'active').length;
  const d = draft;
  const upd = (patch: Partial<Draft>, rerun = true): void => {
    if (!draft) return;
    Object.assign(draft, patch);
    showDraft();
    if (rerun) runWhatIf();
    if ('status' in patch) renderWhatIf(); // the same figures, another label and sentence
  };
  const statusRadio = (value: Draft['status'], label: string): HTMLElement => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'cam-status', id: `cam-status-${value}`, value, checked: d?.status === value, onchange: () => upd({ status: value }, false) }), ` ${label}`);
  const numField = (id: string, label: string, v: number, step: string, key: 'lon' | 'lat' | 'radius_m') => h('div', { class: 'field' }, h('label', { for: id }, label),
    h('input', { type: 'number', id, step, value: key === 'radius_m' ? v : v.toFixed(5), required: true, onchange: (e: Event) => { const n = Number((e.target as HTMLInputElement).value); if (Number.isFinite(n)) upd({ [key]: n }); } }));
  return [
    h('p', { class: 'small' }, t('planning_cov_text_short', { a: active, p: cams.length - active })),
    h('ul', { class: 'plain small cam-list', 'data-testid': 'camera-list' }, cams.map((c) => h('li', { 'data-id': c.properties.id },
      h('span', { class: `dot ${c.properties.status}`, 'aria-hidden': 'true' }),
      ` ${c.properties.name} · ${fmt.int(c.properties.radius_m)} m · ${c.properties.status === 'planned' ? t('planned') : t('active')} `,
      h('button', { type: 'button', class: 'link', 'aria-label': t('edit_camera', { n: c.properties.name }), onclick: () => startDraft({
        id: c.properties.id, name: c.properties.name, lon: c.geometry.coordinates[0] as number, lat: c.geometry.coordinates[1] as number, radius_m: c.properties.radius_m,
        status: c.properties.status === 'active' ? 'active' : 'planned' }) }, t('edit'))))),
    d ? null : h('button', { type: 'button', class: 'btn btn-small', id: 'cam-add', onclick: () => {
      const c = app.map.map.getCenter();
      placing = true;
      app.map.setPlacing(true);
      startDraft({ id: null, name: t('new_camera'), lon: c.lng, lat: c.lat, radius_m: app.state.plan.radius, status: 'planned' });
    } }, t('cam_add')),
    d ? h('form', { class: 'cam-form', 'data-testid': 'camera-form', 'aria-labelledby': 'cam-form-title', onsubmit: (e: Event) => { e.preventDefault(); void saveDraft(); } },
      h('h4', { id: 'cam-form-title' }, d.id ? t('cam_edit_title', { n: d.name }) : t('cam_new_title')),
      placing ? h('p', { class: 'small hint-box', role: 'status' }, t('cam_place_hint')) : h('p', { class: 'small muted' }, t('cam_drag_hint')),
      h('div', { class: 'field' }, h('label', { for: 'cam-name' }, t('cam_name')),
        h('input', { type: 'text', id: 'cam-name', value: d.name, required: true, onchange: (e: Event) => upd({ name: (e.target as HTMLInputElement).value }, false) })),
      h('div', { class: 'field-row' }, numField('cam-lon', t('cam_lon'), d.lon, '0.00001', 'lon'), numField('cam-lat', t('cam_lat'), d.lat, '0.00001', 'lat')),
      // the first question about a camera: is it there already, or planned? (a new one: planned)
      h('fieldset', { class: 'cam-status', 'data-testid': 'cam-status' }, h('legend', {}, t('cam_status_q')),
        statusRadio('planned', t('cam_status_planned')), statusRadio('active', t('cam_status_active'))),
      h('div', { class: 'field-row' }, numField('cam-radius', t('cam_radius'), d.radius_m, '5', 'radius_m')),
      h('div', { id: 'whatif-slot', 'aria-live': 'polite' }, whatIfBlock()),
      editMsg ? h('p', { class: 'small', role: 'status', 'data-testid': 'edit-msg' }, editMsg) : null,
      h('div', { class: 'btn-row' },
        h('button', { type: 'submit', class: 'btn btn-primary btn-small', id: 'cam-save' }, t('save')),
        placing ? null : h('button', { type: 'button', class: 'btn btn-small', id: 'cam-place', onclick: () => { placing = true; app.map.setPlacing(true); renderSection('edit'); } }, t('cam_place')),
        d.id ? h('button', { type: 'button', class: 'btn btn-small btn-danger', id: 'cam-delete', onclick: () => void deleteDraft() }, t('delete')) : null,
        h('button', { type: 'button', class: 'btn btn-small btn-ghost', id: 'cam-cancel', onclick: () => { draft = null; S.whatif.reset(); showDraft(); renderSection('edit'); document.getElementById('cam-add')?.focus(); } }, t('cancel')))) : null,
    !d && editMsg ? h('p', { class: 'small', role: 'status', 'data-testid': 'edit-msg' }, editMsg) : null,
  ];
}

async function afterCameraChange(label: string): Promise<void> {
  const c = S.coverage.data?.data;
  savedCompare = c ? { before: c.incidents, label } : null;
  await app.reloadCameras();
  ensure(); // the camera key changed: coverage reloads
}

async function saveDraft(): Promise<void> {
  if (!draft) return;
  const d = draft;
  const body: CameraInput = { name: d.name, lon: d.lon, lat: d.lat, radius_m: d.radius_m, status: d.status };
  try {
    const saved = d.id ? await api.updateCamera(d.id, body) : await api.createCamera(body);
    draft = null;
    S.whatif.reset();
    showDraft();
    editMsg = t('cam_saved', { n: saved?.properties?.name ?? d.name });
    await afterCameraChange(t('cam_saved_short', { n: d.name }));
  } catch (err) {
    editMsg = errorText(err);
  }
  renderSection('edit');
  document.getElementById('cam-add')?.focus();
}

async function deleteDraft(): Promise<void> {
  if (!draft?.id) return;
  if (!window.confirm(t('cam_delete_confirm', { n: draft.name }))) return;
  const d = draft;
  try {
    await api.deleteCamera(d.id as string);
    draft = null;
    S.whatif.reset();
    showDraft();
    editMsg = t('cam_deleted', { n: d.name });
    await afterCameraChange(t('cam_deleted', { n: d.name }));
  } catch (err) {
    editMsg = errorText(err);
  }
  renderSection('edit');
  document.getElementById('cam-add')?.focus();
}

/** Leaving the planning view: drop the unsaved proposal and the suggestions from the map. */
export function leave(): void {
  draft = null;
  S.whatif.reset();
  S.placement.reset();
  showDraft();
  app.map.setSuggestions([], 0, () => '');
}

/** Keeps the planning sections in step after cameras were reloaded elsewhere. */
export function camerasChanged(): void {
  renderSection('edit');
}

// ---------- patrol ----------
const SHIFT_KEYS: Record<string, Key> = { vroeg: 'shift_early', laat: 'shift_late', nacht: 'shift_night' };
const shiftLabel = (l: string): string => (SHIFT_KEYS[l] ? t(SHIFT_KEYS[l] as Key) : l);
const DAYS: Key[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function profileGrid(code: string, name: string, prof: number[][]): HTMLElement {
  const max = Math.max(1e-9, ...prof.flat());
  return h('table', { class: 'heatgrid', 'data-code': code },
    h('caption', {}, name),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('day'))),
      Array.from({ length: 24 }, (_, hr) => h('th', { scope: 'col', class: hr % 6 === 0 ? '' : 'minor' }, hr % 6 === 0 ? String(hr) : h('span', { class: 'sr-only' }, String(hr)))))),
    h('tbody', {}, prof.map((row, di) => h('tr', {}, h('th', { scope: 'row' }, t(DAYS[di] ?? 'mon')),
      row.map((v, hr) => {
        const x = v / max;
        return h('td', { style: `background:rgba(29,78,137,${(0.06 + 0.94 * x).toFixed(3)})`, title: `${t(DAYS[di] ?? 'mon')} ${hr}:00 · ${fmt.num(v, 2)}` }, h('span', { class: 'sr-only' }, fmt.num(v, 2)));
      })))));
}

function patrolSection(): Child[] {
  const st = app.state;
  const p = S.patrol.data;
  const csv = api.patrolCsvUrl(app.query(), st.plan.halfLife);
  return [
    h('div', { class: 'plan-controls' },
      h('div', { class: 'field' }, h('label', { for: 'patrol-hl' }, t('patrol_hl')),
        h('input', { type: 'number', id: 'patrol-hl', min: 1, max: 3650, step: 1, value: st.plan.halfLife, onchange: (e: Event) => setPlan({ halfLife: Math.max(1, Number((e.target as HTMLInputElement).value) || 30) }) }))),
    statusNote(S.patrol, p && !p.ranking.length ? (noIncidentFile() ? t('patrol_no_file') : t('empty_patrol')) : null),
    ...(p?.ranking.length ? patrolList(p) : []),
    // nothing to print or export without a list
    p?.ranking.length ? h('div', { class: 'btn-row' },
      h('button', { type: 'button', class: 'btn btn-small', id: 'patrol-print', onclick: () => app.printDoc(patrolDoc(p)) }, t('print')),
      h('a', { class: 'btn btn-small', id: 'patrol-csv', href: csv, download: `wijkveilig-patrouille-${st.from}-${st.to}.csv` }, t('csv_export'))) : null,
  ];
}

/** The patrol list on screen: reference date, the shifts' top buurten and the week profiles of the top 3. */
function patrolList(p: Patrol): Child[] {
  return [
    h('p', { class: 'small muted' }, t('patrol_ref', { d: p.reference, hl: fmt.num(p.half_life_days, 1) })),
    h('div', { class: 'shifts', 'data-testid': 'patrol-shifts' }, p.shifts.map((s) => h('div', { class: 'shift', 'data-shift': s.shift },
      h('h4', {}, `${shiftLabel(s.label)} (${s.shift})`),
      h('ol', { class: 'ranked small' }, s.areas.map((a) => h('li', { 'data-code': a.code },
        h('button', { type: 'button', class: 'link', onclick: () => app.selectBuurt(a.code, true) }, a.name), h('span', { class: 'ranked-fig' }, fmt.num(a.score, 1)))))))),
    h('h4', {}, t('patrol_profiles')),
    h('div', { class: 'profiles' }, p.ranking.slice(0, 3).map((r) => (p.profiles[r.code] ? profileGrid(r.code, r.name, p.profiles[r.code] as number[][]) : null))),
  ];
}

function patrolDoc(p: Patrol): HTMLElement {
  const st = app.state;
  return h('div', { class: 'patrol-doc' },
    h('h1', {}, t('patrol_title')),
    h('p', {}, `${fmt.period(st.from, st.to)} · ${t('patrol_ref', { d: p.reference, hl: fmt.num(p.half_life_days, 1) })}`),
    h('div', { class: 'patrol-cols' }, p.shifts.map((s) => h('section', {},
      h('h2', {}, `${shiftLabel(s.label)} (${s.shift})`),
      h('table', { class: 'data compact' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('col_buurt')), h('th', { scope: 'col', class: 'num' }, t('score')))),
        h('tbody', {}, s.areas.map((a, i) => h('tr', {}, h('td', { class: 'num' }, i + 1), h('td', {}, a.name), h('td', { class: 'num' }, fmt.num(a.score, 1))))))))),
    h('h2', {}, t('patrol_profiles')),
    h('div', { class: 'profiles' }, p.ranking.slice(0, 3).map((r) => (p.profiles[r.code] ? profileGrid(r.code, r.name, p.profiles[r.code] as number[][]) : null))));
}

// ---------- legend ----------
export function legendBlocks(layers: Set<string>): Child[] {
  const out: Child[] = [];
  const sw = (style: string, label: string): HTMLElement => h('li', {}, h('span', { class: 'swatch', style, 'aria-hidden': 'true' }), h('span', {}, label));
  if (layers.has('hotspots')) {
    const d = S.hotspots.data?.data;
    const refusal = S.hotspots.data?.refusal;
    out.push(h('h3', {}, `${t('hs_legend')}${d ? ` · ${d.value === 'rate' ? t('metric_rate') : t('metric_count')}` : ''}`),
      h('ul', { class: 'legend-list', 'data-testid': 'legend-hotspots' }, HOT_CLASSES.map((c) => sw(`background:${HOT_COLOURS[c]}`, t(`hs_${c}` as Key)))),
      d?.empirical_bayes ? h('p', { class: 'small' }, t('hs_eb')) : null,
      d ? h('p', { class: 'small muted' }, d.fdr ? t('hs_fdr_on') : t('hs_fdr_off')) : null,
      refusal ? h('p', { class: 'small muted', 'data-testid': 'legend-hotspots-refusal' }, refusal) : null,
      S.coverage.data?.data ? h('ul', { class: 'legend-list' }, sw(`border:2px dashed ${UNCOVERED_COLOUR};background:transparent`, t('cov_uncovered_short'))) : null);
  }
  if (layers.has('emerging')) {
    const e = S.emerging.data;
    const present = new Set((e?.data?.features ?? []).map((f) => f.properties.category).filter((c) => c !== 'none'));
    out.push(h('h3', {}, t('em_title')), h('ul', { class: 'legend-list', 'data-testid': 'legend-emerging' },
      [...present].sort().map((c) => sw(`background:${EMERGING_COLOURS[c] ?? '#fff'}`, emergingLabel(c))),
      present.size || !e ? null : h('li', { class: 'muted' }, e.refusal ?? t('em_none'))));
  }
  if (layers.has('kde')) {
    const d = S.kde.data;
    const empty = kdeEmpty(d);
    // no points: a sentence, not a ramp from 0 to 0
    out.push(h('h3', {}, t('kde_legend')), ...(empty ? [h('p', { class: 'small muted', 'data-testid': 'legend-kde-empty' }, empty)] : [
      h('div', { class: 'ramp', style: `background:${KDE_GRADIENT}`, 'aria-hidden': 'true' }),
      h('div', { class: 'ramp-labels small muted' }, h('span', {}, '0'), h('span', {}, d ? `${fmt.num(d.max, 1)} ${t('per_km2')}` : t('high'))),
      d ? h('p', { class: 'small muted' }, t('kde_legend_note', { bw: fmt.int(d.bandwidth_m) })) : null]));
  }
  if (layers.has('cameras') && S.placement.data) {
    out.push(h('ul', { class: 'legend-list' }, sw(`border:2px dashed ${SUGGEST_COLOUR};background:${SUGGEST_COLOUR}22;border-radius:50%`, t('place_legend'))));
  }
  return out;
}

/**
 * Why a planning layer that is on draws nothing on the map (no hot spots, no emerging category,
 * no density), as sentences for the map's notes; nothing while they load or when they draw.
 */
export function analysisNotes(layers: Set<string>): string[] {
  const out: (string | null)[] = [];
  const hs = S.hotspots.data;
  if (layers.has('hotspots') && hs) out.push(hs.refusal ?? (hs.data && !hs.data.features.length ? t('empty_hotspots') : null));
  const e = S.emerging.data;
  if (layers.has('emerging') && e) out.push(e.refusal ?? (e.data?.features.some((f) => f.properties.category !== 'none') ? null : t('em_none')));
  if (layers.has('kde')) out.push(kdeEmpty(S.kde.data));
  return out.filter((x): x is string => !!x);
}

// ---------- the view ----------
/** The Planning view: the analyses' sections, then the busiest buurten in scope (with a camera badge). */
export function planningView(a: App): Child[] {
  const camBuurten = new Set((a.cameras.data?.features ?? []).map((c) => c.properties.buurt_code).filter((c): c is string => !!c));
  const top = a.scopedBuurten().filter((p) => p.count != null).sort(byRank).slice(0, 15);
  return [
    h('h2', {}, t('planning_h')),
    ...planningSections(),
    h('details', { class: 'panel-section' },
      h('summary', {}, h('h3', { class: 'inline-h' }, t('planning_title'))),
      top.length ? h('ol', { class: 'ranked', 'data-testid': 'busiest' }, top.map((p) => h('li', { 'data-code': p.code },
        buurtButton(a, p),
        h('span', { class: 'ranked-fig' }, `${fmt.int(p.count)} · ${fmt.dec(p.rate_per_1000)} ${t('per_1000_short')}`),
        camBuurten.has(p.code) ? h('span', { class: 'badge' }, t('has_camera')) : null))) : h('p', { class: 'small muted empty-note' }, t('empty_buurten'))),
  ];
}
