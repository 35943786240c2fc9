// wijkveilig dashboard: wiring of state (in the URL), data loading, controls, views and print.
import type { FeatureCollection, Geometry, Point } from 'geojson';
import { api, queryKey, type Indicator, type RawMeta, type AreaDetail, type AreaProps, type Areas, type CameraProps, type CrimeType, type EnforcementProps, type IncidentProps, type InitiativeProps, type Meta } from './api';
import { classOf, divergingClasses, quantileClasses, WITHHELD_COLOUR, type Classes } from './classify';
import { $, clear, h, type Child } from './dom';
import { fmt, setLang, t, type Key } from './i18n';
import { CAMERA_COLOUR, DashboardMap, INITIATIVE_COLOUR, OUTCOME_COLOURS } from './map';
import { countText, figureTile, rankText, renderPanel } from './panel';
import { addMonths, LAYERS, monthFromIndex, monthIndex, parseState, stateToSearch, VIEW_LAYERS, VIEWS, type Layer, type Metric, type State, type View } from './state';
import { camerasChanged, ensure as ensureAnalyses, initPlanning, leave as leavePlanning, legendBlocks, placeAt, planningSections } from './planning';
import { indicatorCard } from './indicators';
import { parseReportHash, periodOptions, renderReportPage } from './report';
import { startBoot, type FirstFigures } from './boot';

const NO_VALUE_COLOUR = '#f4f4f4';
type BuurtFeatureProps = AreaProps & { colour: string | null; cls: number; in_scope: boolean };

interface Data {
  buurten: Areas | null;
  wijken: Areas | null;
  enforcement: FeatureCollection<Point, EnforcementProps> | null;
  incidents: FeatureCollection<Point, IncidentProps> | null;
  cameras: FeatureCollection<Point, CameraProps> | null;
  initiatives: FeatureCollection<Geometry, InitiativeProps> | null;
  detail: AreaDetail | null;
  classes: Classes | null;
}

declare global {
  interface Window { wijkveilig?: { map: DashboardMap['map']; state: () => State; renderSeq: () => number; idle: () => Promise<void> } }
}

let meta: Meta;
let crimeTypes: CrimeType[] = [];
let state: State;
let dmap: DashboardMap;
const data: Data = { buurten: null, wijken: null, enforcement: null, incidents: null, cameras: null, initiatives: null, detail: null, classes: null };
let loadCtl: AbortController | null = null;
let detailCtl: AbortController | null = null;
let renderSeq = 0;
let playTimer: number | null = null;
/** Cameras and initiatives have arrived (or failed); the first data render waits for them. */
let staticsLoaded: Promise<void> = Promise.resolve();
/** The first requests, started by index.html before this bundle loaded (see boot.ts). */
const early = window.wvBoot ?? startBoot();
const mapEl = h('div', { id: 'map', class: 'map', role: 'region' });

// ---------- helpers ----------
const query = () => ({ from: state.from, to: state.to, types: state.types.join(',') });
const syncUrl = (): void => history.replaceState(null, '', stateToSearch(state));
const typeTitle = (code: string): string => crimeTypes.find((c) => c.code === code)?.title ?? code;
const typesLabel = (): string => (state.types.length === 1 && state.types[0] === '0.0.0' ? t('all_types') : state.types.map(typeTitle).join(', '));
const wijkName = (code: string | null): string => meta.wijken.find((w) => w.code === code)?.name ?? meta.gemeente.name;
const scopeLabel = (): string => (state.wijk ? `${t('wijk')} ${wijkName(state.wijk)}` : meta.gemeente.name);
const metricLabel = (m: Metric = state.metric): string => t(`metric_${m}` as Key);
const inScope = (p: AreaProps): boolean => !state.wijk || p.parent_code === state.wijk;
const scopedBuurten = (): AreaProps[] => (data.buurten?.features ?? []).map((f) => f.properties).filter(inScope);
const byRank = (a: AreaProps, b: AreaProps): number => (b.count ?? -1) - (a.count ?? -1) || a.name.localeCompare(b.name, 'nl');
function metricValue(p: AreaProps, m: Metric = state.metric): number | null {
  return m === 'count' ? p.count : m === 'rate' ? p.rate_per_1000 : p.change_pct;
}
const metricText = (v: number | null, m: Metric = state.metric): string => (m === 'count' ? fmt.int(v) : m === 'rate' ? fmt.dec(v) : fmt.pct(v));

// ---------- shell ----------
function buildShell(): void {
  const app = $('#app');
  const g = meta.gemeente.name;
  document.title = `wijkveilig · ${t('app_sub')} ${g}`;
  const tabs: View[] = VIEWS;
  const n = tabs.length;
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('views') },
    tabs.map((v) => h('button', {
      role: 'tab', type: 'button', id: `tab-${v}`, 'aria-controls': 'viewpanel', 'aria-selected': String(state.view === v),
      tabindex: state.view === v ? 0 : -1, class: 'tab', 'data-view': v, onclick: () => setView(v),
      onkeydown: (e: Event) => {
        const k = (e as KeyboardEvent).key;
        const i = tabs.indexOf(v);
        const next = k === 'ArrowRight' ? tabs[(i + 1) % n] : k === 'ArrowLeft' ? tabs[(i + n - 1) % n] : k === 'Home' ? tabs[0] : k === 'End' ? tabs[n - 1] : null;
        if (next) { e.preventDefault(); setView(next); $(`#tab-${next}`).focus(); }
      },
    }, t(`view_${v}` as Key))));

  clear(app,
    h('header', { class: 'topbar' },
      h('div', { class: 'brand' },
        logo(),
        h('div', {},
          h('div', { class: 'brand-name' }, h('span', { class: 'wordmark' }, 'wijkveilig'), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), `${t('app_sub')} ${g}`),
          h('div', { class: 'brand-sub' }, t('programme', { g })))),
      tablist,
      h('button', { type: 'button', class: 'btn btn-ghost lang', lang: state.lang === 'nl' ? 'en' : 'nl', 'aria-label': t('lang_switch_label'), onclick: toggleLang }, t('lang_switch'))),
    meta.demo ? h('div', { class: 'demo-banner', role: 'note', 'data-testid': 'demo-banner' },
      h('strong', {}, t('demo_banner')), meta.demo_notice ? h('span', {}, ` — ${meta.demo_notice}`) : null) : null,
    h('div', { class: 'layout', 'data-view': state.view },
      h('aside', { class: 'sidebar', 'aria-label': t('controls') }, buildControls()),
      h('main', { id: 'main', class: 'main', tabindex: -1 },
        h('div', { class: 'map-wrap' }, mapEl, h('div', { class: 'map-status', role: 'status', 'aria-live': 'polite', id: 'map-status' })),
        h('section', { class: 'table-section', 'aria-labelledby': 'table-title' },
          h('h2', { id: 'table-title' }, t('table_title')),
          h('p', { class: 'muted small' }, t('table_hint')),
          h('div', { id: 'buurt-table', class: 'table-wrap' }))),
      h('aside', { id: 'viewpanel', class: 'viewpanel', role: 'tabpanel', 'aria-labelledby': `tab-${state.view}`, 'data-view': state.view })),
    h('section', { id: 'report', class: 'report', 'aria-hidden': 'true' }));
}

function logo(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('class', 'logo');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = '<path d="M16 2 4 6v9c0 7.5 5.1 13.2 12 15 6.9-1.8 12-7.5 12-15V6z" fill="#1d4e89"/><path d="M9 17h4v5H9zm5-5h4v10h-4zm5 3h4v7h-4z" fill="#fff"/>';
  return svg;
}

function buildControls(): Child[] {
  const first = monthIndex(meta.periods.first);
  const last = monthIndex(meta.periods.last);
  const fromOut = h('output', { id: 'from-out', for: 'from' }, fmt.month(state.from));
  const toOut = h('output', { id: 'to-out', for: 'to' }, fmt.month(state.to));
  const slider = (id: 'from' | 'to', out: HTMLOutputElement) => h('input', {
    type: 'range', id, min: first, max: last, step: 1, value: monthIndex(state[id]), 'aria-valuetext': fmt.month(state[id]),
    oninput: (e: Event) => {
      const el = e.target as HTMLInputElement;
      let v = monthFromIndex(Number(el.value));
      const other = $(id === 'from' ? '#to' : '#from') as HTMLInputElement;
      if (id === 'from' && v > state.to) { state.to = v; other.value = el.value; }
      if (id === 'to' && v < state.from) { state.from = v; other.value = el.value; }
      state[id] = v;
      v = fmt.month(v);
      out.value = v;
      el.setAttribute('aria-valuetext', v);
      updatePeriodOutputs();
      scheduleRefresh();
    },
  });
  const playing = playTimer !== null;
  return [
    h('fieldset', { class: 'ctl' },
      h('legend', {}, t('period')),
      h('div', { class: 'range-row' }, h('label', { for: 'from' }, t('period_from')), fromOut),
      slider('from', fromOut),
      h('div', { class: 'range-row' }, h('label', { for: 'to' }, t('period_to')), toOut),
      slider('to', toOut),
      h('button', { type: 'button', id: 'play', class: 'btn btn-small', 'aria-pressed': String(playing), title: t('play_label'), onclick: togglePlay },
        h('span', { 'aria-hidden': 'true' }, playing ? '❚❚ ' : '▶ '), playing ? t('pause') : t('play'))),
    buildTypeFilter(),
    h('fieldset', { class: 'ctl' },
      h('legend', {}, t('metric')),
      (['count', 'rate', 'change'] as Metric[]).map((m) => h('label', { class: 'radio' },
        h('input', { type: 'radio', name: 'metric', value: m, checked: state.metric === m, onchange: () => { state.metric = m; syncUrl(); renderData(); } }),
        ` ${metricLabel(m)}`))),
    h('div', { class: 'ctl' },
      h('label', { for: 'wijk-select', class: 'ctl-label' }, t('wijk')),
      h('select', { id: 'wijk-select', onchange: (e: Event) => setWijk((e.target as HTMLSelectElement).value || null) },
        h('option', { value: '' }, t('all_wijken')),
        [...meta.wijken].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((w) => h('option', { value: w.code, selected: state.wijk === w.code }, w.name)))),
    h('form', { class: 'ctl', role: 'search', onsubmit: onSearch },
      h('label', { for: 'search', class: 'ctl-label' }, t('search')),
      h('div', { class: 'search-row' },
        h('input', { type: 'search', id: 'search', list: 'buurt-list', autocomplete: 'off' }),
        h('button', { type: 'submit', class: 'btn btn-small' }, t('search_btn'))),
      h('datalist', { id: 'buurt-list' }),
      h('p', { id: 'search-msg', class: 'small muted', role: 'status', 'aria-live': 'polite' })),
    h('fieldset', { class: 'ctl' },
      h('legend', {}, t('layers')),
      LAYERS.map((l) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'layer', value: l, checked: state.layers.has(l), onchange: (e: Event) => toggleLayer(l, (e.target as HTMLInputElement).checked) }),
        ` ${t(`layer_${l}` as Key)}`))),
    h('section', { class: 'ctl legend', 'aria-labelledby': 'legend-title' }, h('h2', { id: 'legend-title', class: 'ctl-label' }, t('legend')), h('div', { id: 'legend' })),
  ];
}

function updatePeriodOutputs(): void {
  ($('#from-out') as HTMLOutputElement).value = fmt.month(state.from);
  ($('#to-out') as HTMLOutputElement).value = fmt.month(state.to);
  ($('#from') as HTMLInputElement).value = String(monthIndex(state.from));
  ($('#to') as HTMLInputElement).value = String(monthIndex(state.to));
}

function buildTypeFilter(): HTMLElement {
  const children = (p: string | null) => crimeTypes.filter((c) => c.parent === p && c.code !== '0.0.0');
  const selected = new Set(state.types);
  const ancestorSelected = (code: string): boolean => {
    let p = crimeTypes.find((c) => c.code === code)?.parent ?? null;
    while (p) { if (selected.has(p)) return true; p = crimeTypes.find((c) => c.code === p)?.parent ?? null; }
    return false;
  };
  const onToggle = (code: string, on: boolean): void => {
    let next = state.types.filter((c) => c !== '0.0.0');
    if (code === '0.0.0') next = [];
    else if (on) next = [...next.filter((c) => !c.startsWith(`${code}.`)), code];
    else next = next.filter((c) => c !== code);
    state.types = next.length ? next : ['0.0.0'];
    rebuildTypeFilter();
    syncUrl();
    refreshData();
  };
  const node = (c: CrimeType): HTMLElement => {
    const kids = children(c.code);
    const inherited = ancestorSelected(c.code);
    return h('li', {},
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: c.code, checked: selected.has(c.code) || inherited, disabled: inherited, onchange: (e: Event) => onToggle(c.code, (e.target as HTMLInputElement).checked) }),
        ` ${c.title}`, h('span', { class: 'code' }, ` ${c.code}`)),
      kids.length ? h('ul', {}, kids.map(node)) : null);
  };
  const roots = crimeTypes.filter((c) => c.parent === null && c.code !== '0.0.0');
  const summary = state.types.length === 1 && state.types[0] === '0.0.0' ? t('all_types') : state.types.length === 1 ? typeTitle(state.types[0] as string) : t('n_types', { n: state.types.length });
  const d = h('details', { class: 'ctl typefilter', id: 'typefilter' },
    h('summary', {}, h('span', { class: 'ctl-label' }, t('crime_types')), h('span', { class: 'summary-value' }, summary)),
    h('fieldset', {},
      h('legend', { class: 'sr-only' }, t('crime_types')),
      h('ul', { class: 'tree' },
        h('li', {}, h('label', { class: 'check' }, h('input', { type: 'checkbox', value: '0.0.0', checked: state.types.includes('0.0.0'), onchange: () => onToggle('0.0.0', true) }), ` ${t('all_types')}`)),
        roots.map(node))));
  return d;
}

function rebuildTypeFilter(): void {
  const old = document.getElementById('typefilter') as HTMLDetailsElement | null;
  if (!old) return;
  const open = old.open;
  const focusedCode = (document.activeElement as HTMLInputElement | null)?.value;
  const fresh = buildTypeFilter() as HTMLDetailsElement;
  fresh.open = open;
  old.replaceWith(fresh);
  if (focusedCode) fresh.querySelector<HTMLInputElement>(`input[value="${focusedCode}"]`)?.focus();
}

// ---------- actions ----------
function setView(v: View): void {
  if (state.view === v) return;
  state.view = v;
  state.layers = new Set(VIEW_LAYERS[v]);
  void ensureIncidents();
  document.querySelectorAll<HTMLButtonElement>('[role=tab]').forEach((b) => {
    const on = b.dataset.view === v;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  });
  const vp = $('#viewpanel');
  document.querySelector('.layout')?.setAttribute('data-view', v);
  if (v !== 'planning') leavePlanning();
  vp.setAttribute('aria-labelledby', `tab-${v}`);
  vp.dataset.view = v;
  document.querySelectorAll<HTMLInputElement>('input[name=layer]').forEach((i) => { i.checked = state.layers.has(i.value as Layer); });
  pushPointLayers();
  dmap.setLayers(state.layers);
  syncUrl();
  renderData();
}

function setWijk(code: string | null): void {
  state.wijk = code;
  state.camera = null;
  const w = meta.wijken.find((x) => x.code === code);
  dmap.fit(w ? w.bbox : meta.bbox);
  ($('#wijk-select') as HTMLSelectElement).value = code ?? '';
  syncUrl();
  renderData();
}

/**
 * The incident points (about 1 MB a year) feed only the client heatmap layer, which is off by
 * default since the KDE image replaced it: they load when that layer is on.
 */
let incidentsKey = '';
async function ensureIncidents(): Promise<void> {
  if (!state.layers.has('heatmap')) return;
  const q = query();
  const key = queryKey(q);
  if (incidentsKey === key) return;
  incidentsKey = key;
  try {
    const fc = await api.incidents(q);
    if (incidentsKey !== key) return;
    data.incidents = fc;
    if (dmap) pushPointLayers();
  } catch (err) {
    if (incidentsKey === key) incidentsKey = '';
    console.error(err);
  }
}

/** Point layers are handed to the map only while visible: less work for the map's worker. */
const pushed: { enforcement: unknown; incidents: unknown; cameras: unknown; initiatives: unknown } = { enforcement: null, incidents: null, cameras: null, initiatives: null };
/** Cameras and watch initiatives, whenever they changed. */
function pushStatics(): void {
  if (data.cameras && pushed.cameras !== data.cameras) { dmap.setCameras(data.cameras); pushed.cameras = data.cameras; }
  if (data.initiatives && pushed.initiatives !== data.initiatives) { dmap.setInitiatives(data.initiatives); pushed.initiatives = data.initiatives; }
}
function pushPointLayers(): void {
  if (state.layers.has('enforcement') && data.enforcement && pushed.enforcement !== data.enforcement) {
    dmap.setEnforcement(data.enforcement);
    pushed.enforcement = data.enforcement;
  }
  if (state.layers.has('heatmap') && data.incidents && pushed.incidents !== data.incidents) {
    dmap.setIncidents(data.incidents);
    pushed.incidents = data.incidents;
  }
}

function toggleLayer(l: Layer, on: boolean): void {
  if (on) state.layers.add(l); else state.layers.delete(l);
  if (l === 'heatmap') void ensureIncidents();
  pushPointLayers();
  dmap.setLayers(state.layers);
  syncUrl();
  ensureAnalyses();
  renderLegend();
  if (state.view === 'planning') {
    const box = document.getElementById(`${l === 'kde' ? 'kde' : 'em'}-layer`) as HTMLInputElement | null;
    if (box) box.checked = on;
  }
}

function toggleLang(): void {
  state.lang = state.lang === 'nl' ? 'en' : 'nl';
  setLang(state.lang);
  syncUrl();
  buildShell();
  renderData();
  $('.lang').focus();
}

function togglePlay(): void {
  if (playTimer !== null) {
    clearInterval(playTimer);
    playTimer = null;
  } else {
    if (state.to >= meta.periods.last) {
      // restart from the beginning with the same window length
      const len = monthIndex(state.to) - monthIndex(state.from);
      state.from = meta.periods.first;
      state.to = addMonths(meta.periods.first, len);
      updatePeriodOutputs();
      syncUrl();
      refreshData();
    }
    playTimer = window.setInterval(() => {
      if (loadCtl) return; // wait for the previous step to load
      if (state.to >= meta.periods.last) { togglePlay(); return; }
      state.from = addMonths(state.from, 1);
      state.to = addMonths(state.to, 1);
      updatePeriodOutputs();
      syncUrl();
      refreshData();
    }, 1200);
  }
  const b = $('#play');
  const playing = playTimer !== null;
  b.setAttribute('aria-pressed', String(playing));
  clear(b, h('span', { 'aria-hidden': 'true' }, playing ? '❚❚ ' : '▶ '), playing ? t('pause') : t('play'));
}

function onSearch(e: Event): void {
  e.preventDefault();
  const input = $('#search') as HTMLInputElement;
  const q = input.value.trim().toLowerCase();
  if (!q) return;
  const all = (data.buurten?.features ?? []).map((f) => f.properties);
  const hit = all.find((p) => p.code.toLowerCase() === q || `${p.name} (${p.code})`.toLowerCase() === q)
    ?? all.find((p) => p.name.toLowerCase() === q)
    ?? all.find((p) => p.name.toLowerCase().includes(q) || p.code.toLowerCase().includes(q));
  $('#search-msg').textContent = hit ? '' : t('search_none', { q: input.value });
  if (hit) {
    if (state.wijk && hit.parent_code !== state.wijk) setWijk(null);
    selectBuurt(hit.code, true);
  }
}

let focusPanelNext = false;
function selectBuurt(code: string | null, zoom = false): void {
  state.buurt = code;
  focusPanelNext = code !== null;
  syncUrl();
  dmap.setSelected(code);
  if (code && zoom) {
    const f = data.buurten?.features.find((x) => x.properties.code === code);
    if (f) {
      const b = bboxOfFeature(f.geometry);
      dmap.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 15, duration: 600 });
    }
  }
  loadDetail();
}

function bboxOfFeature(g: Geometry): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  JSON.stringify(g, (k, v: unknown) => {
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number') {
      b[0] = Math.min(b[0], v[0]); b[1] = Math.min(b[1], v[1]); b[2] = Math.max(b[2], v[0]); b[3] = Math.max(b[3], v[1]);
    }
    return v;
  });
  return b;
}

// ---------- data ----------
let refreshTimer: number | null = null;
function scheduleRefresh(): void {
  if (refreshTimer !== null) clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => { refreshTimer = null; syncUrl(); refreshData(); }, 250);
}

async function refreshData(): Promise<void> {
  loadCtl?.abort();
  const ctl = new AbortController();
  loadCtl = ctl;
  document.body.dataset.loading = 'true';
  setStatus(t('loading'));
  try {
    const q = query();
    void ensureIncidents();
    const pre = await takeFirstFigures(q);
    const [buurten, wijken, enforcement] = await Promise.all(pre ? [pre.buurten, pre.wijken, pre.enforcement] : [
      api.areas(q, 'buurt', ctl.signal), api.areas(q, 'wijk', ctl.signal), api.enforcement(q, ctl.signal),
    ]);
    if (!performance.getEntriesByName('wv-data').length) performance.mark('wv-data');
    // the first render also draws the cameras and initiatives, in the same map style
    await staticsLoaded;
    if (ctl.signal.aborted) return;
    Object.assign(data, { buurten, wijken, enforcement });
    setStatus('');
    renderData();
    if (state.buurt) loadDetail();
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    setStatus(t('error', { m: (err as Error).message }));
    console.error(err);
    dmap.start(); // the map without data
  } finally {
    if (loadCtl === ctl) { loadCtl = null; document.body.dataset.loading = 'false'; }
  }
}

/** The figures index.html started loading, once, if they are for this query. */
let firstFigures: FirstFigures | null = early.figures;
async function takeFirstFigures(q: ReturnType<typeof query>): Promise<FirstFigures | null> {
  const f = firstFigures;
  firstFigures = null;
  if (!f || f.types !== q.types) return null;
  if (f.key !== null) return f.key === queryKey(q) ? f : null;
  // asked for the API's default period: use them if that is the period the app shows
  const b = await f.buurten.catch(() => null);
  return b?.period?.from === q.from && b.period.to === q.to ? f : null;
}

async function loadDetail(): Promise<void> {
  detailCtl?.abort();
  const code = state.buurt;
  if (!code) { data.detail = null; renderViewPanel(); return; }
  const ctl = new AbortController();
  detailCtl = ctl;
  try {
    const d = await api.area(code, query(), ctl.signal);
    if (ctl.signal.aborted) return;
    data.detail = d;
    renderViewPanel(focusPanelNext);
    focusPanelNext = false;
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    data.detail = null;
    setStatus(t('error', { m: (err as Error).message }));
  }
}

function setStatus(s: string): void {
  const el = document.getElementById('map-status');
  if (el) { el.textContent = s; el.hidden = !s; }
}

// ---------- rendering ----------
function renderData(): void {
  if (!data.buurten || !data.wijken) return;
  const m = state.metric;
  const values = data.buurten.features.map((f) => metricValue(f.properties, m)).filter((v): v is number => v !== null);
  const classes = m === 'change' ? divergingClasses(values) : quantileClasses(values);
  data.classes = classes;
  const fc: FeatureCollection<Geometry, BuurtFeatureProps> = {
    type: 'FeatureCollection',
    features: data.buurten.features.map((f) => {
      const v = metricValue(f.properties, m);
      const withheld = f.properties.count === null;
      const cls = withheld ? -1 : v === null ? -2 : classOf(v, classes);
      return { ...f, properties: { ...f.properties, cls, colour: cls >= 0 ? (classes.colours[cls] ?? null) : cls === -2 ? NO_VALUE_COLOUR : WITHHELD_COLOUR, in_scope: inScope(f.properties) } };
    }),
  };
  dmap.setBuurten(fc);
  dmap.setWijken(data.wijken, state.wijk);
  pushStatics();
  pushPointLayers();
  dmap.setLayers(state.layers);
  dmap.setSelected(state.buurt);
  // the first time: the map gets its style, with all of the above in it
  dmap.start();
  mapEl.setAttribute('aria-label', t('map_label', { g: meta.gemeente.name, metric: metricLabel(), period: fmt.period(state.from, state.to) }));
  const datalist = document.getElementById('buurt-list');
  if (datalist) clear(datalist, data.buurten.features.map((f) => h('option', { value: `${f.properties.name} (${f.properties.code})` })));
  ensureAnalyses();
  if (state.view === 'indicatoren') ensureIndicators();
  renderLegend();
  renderTable();
  renderViewPanel();
  renderReport();
  if (!firstPaintWatched && data.buurten.features.length) { firstPaintWatched = true; watchFirstPaint(); }
  const seq = ++renderSeq;
  document.body.dataset.renderSeq = String(seq);
  void dmap.idle().then(() => {
    if (seq !== renderSeq) return;
    if (!performance.getEntriesByName('wv-first-map-idle').length) performance.mark('wv-first-map-idle');
    document.body.dataset.mapIdle = String(seq);
  });
}

/**
 * Marks 'wv-first-map-paint' at the first map frame that really draws the view's area data: the
 * buurt choropleth (or, without it, the Gi* classes or the wijk outlines), checked with
 * queryRenderedFeatures once that source has loaded.
 */
let firstPaintWatched = false;
function watchFirstPaint(): void {
  const m = dmap.map;
  const check = (): void => {
    const startTime = performance.now(); // the frame, not the check below, is what is measured
    const layer = state.layers.has('choropleth') ? 'buurt-fill' : state.layers.has('hotspots') ? 'hotspot-fill' : 'wijk-line';
    const source = m.getLayer(layer)?.source;
    if (!source || m.getLayoutProperty(layer, 'visibility') === 'none' || !m.isSourceLoaded(source)) return;
    if (!m.queryRenderedFeatures({ layers: [layer] }).length) return;
    m.off('render', check);
    performance.mark('wv-first-map-paint', { startTime });
  };
  m.on('render', check);
}

function classLabel(i: number, c: Classes): string {
  const f = (v: number) => metricText(v);
  const lo = i === 0 ? null : (c.breaks[i - 1] as number);
  const hi = i < c.breaks.length ? (c.breaks[i] as number) : null;
  if (c.diverging) {
    if (lo === null) return `≤ ${f(hi as number)}`;
    if (hi === null) return `> ${f(lo)}`;
    return `${f(lo)} … ${f(hi)}`;
  }
  const from = lo === null ? c.min : state.metric === 'count' ? lo + 1 : lo;
  const to = hi === null ? c.max : hi;
  return from >= to ? f(to) : `${f(from)} – ${f(to)}`;
}

function swatch(style: string, label: string, cls = ''): HTMLElement {
  return h('li', {}, h('span', { class: `swatch ${cls}`, style, 'aria-hidden': 'true' }), h('span', {}, label));
}

function buildLegend(): HTMLElement {
  const c = data.classes;
  const box = h('div', { class: 'legend-body' });
  if (state.layers.has('choropleth') && c) {
    box.append(
      h('h3', {}, `${metricLabel()}${state.metric === 'change' ? '' : ` · ${fmt.period(state.from, state.to)}`}`),
      h('ul', { class: 'legend-list', 'data-testid': 'legend-classes' },
        c.colours.map((col, i) => swatch(`background:${col}`, classLabel(i, c))),
        swatch('', t('withheld'), 'hatched'),
        state.metric !== 'count' ? swatch(`background:${NO_VALUE_COLOUR}`, t('no_data')) : null,
        state.wijk ? swatch('background:#d7dde3;opacity:.6', t('outside_wijk')) : null));
  }
  box.append(...(legendBlocks(state.layers).filter(Boolean) as Node[]));
  if (state.layers.has('heatmap')) box.append(h('h3', {}, t('layer_heatmap')), h('div', { class: 'ramp', 'aria-hidden': 'true' }), h('div', { class: 'ramp-labels small muted' }, h('span', {}, t('low')), h('span', {}, t('high'))));
  if (state.layers.has('cameras')) box.append(h('h3', {}, t('layer_cameras')), h('ul', { class: 'legend-list' },
    swatch(`background:${CAMERA_COLOUR};border-radius:50%`, t('active')), swatch(`background:#fff;border:2px solid ${CAMERA_COLOUR};border-radius:50%`, t('planned'))));
  if (state.layers.has('enforcement')) box.append(h('h3', {}, t('layer_enforcement')), h('ul', { class: 'legend-list' },
    Object.entries(OUTCOME_COLOURS).map(([o, col]) => swatch(`background:${col};border-radius:50%`, t(`outcome_${o}` as Key)))));
  if (state.layers.has('initiatives')) box.append(h('h3', {}, t('layer_initiatives')), h('ul', { class: 'legend-list' },
    swatch(`background:${INITIATIVE_COLOUR}22;border:2px dashed ${INITIATIVE_COLOUR}`, t('layer_initiatives'))));
  if (state.layers.has('wijken')) box.append(h('ul', { class: 'legend-list' }, swatch('border:2px solid #1f2a37;background:transparent', t('layer_wijken'))));
  return box;
}

function renderLegend(): void {
  const el = document.getElementById('legend');
  if (el) clear(el, buildLegend());
}

function buurtButton(p: AreaProps): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-code': p.code, 'aria-pressed': String(state.buurt === p.code), onclick: () => selectBuurt(p.code, true) }, p.name);
}

function renderTable(): void {
  const el = document.getElementById('buurt-table');
  if (!el) return;
  const rows = scopedBuurten().sort(byRank);
  clear(el, h('table', { class: 'data', 'data-testid': 'buurt-table' },
    h('caption', {}, t('table_caption', { scope: scopeLabel(), period: fmt.period(state.from, state.to), types: typesLabel() })),
    h('thead', {}, h('tr', {},
      [t('col_buurt'), t('col_wijk'), t('col_pop'), t('col_count'), t('col_rate'), t('col_prev'), t('col_change'), t('col_rank')].map((c, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : '' }, c)))),
    h('tbody', {}, rows.map((p) => h('tr', { 'data-code': p.code, class: state.buurt === p.code ? 'selected' : '' },
      h('th', { scope: 'row' }, buurtButton(p), h('span', { class: 'code' }, ` ${p.code}`)),
      h('td', {}, p.parent_name ?? ''),
      h('td', { class: 'num' }, fmt.int(p.population)),
      h('td', { class: `num${p.count === null ? ' withheld' : ''}`, 'data-col': 'count' }, countText(p.count)),
      h('td', { class: 'num' }, fmt.dec(p.rate_per_1000)),
      h('td', { class: 'num' }, fmt.int(p.previous_count)),
      h('td', { class: 'num' }, fmt.pct(p.change_pct)),
      h('td', { class: 'num' }, rankText(p.rank, p.rank_of)))))));
}

interface Headline { total: number; withheld: number; prev: number | null; change: number | null; rate: number | null; enfFree: number; enfAll: number }

function headline(): Headline {
  const bs = scopedBuurten();
  let total = 0, withheld = 0, pop = 0, cur = 0, prev = 0, hasPrev = false;
  for (const b of bs) {
    if (b.count === null) { withheld++; continue; }
    total += b.count;
    if (b.population) pop += b.population;
    if (b.previous_count !== null) { cur += b.count; prev += b.previous_count; hasPrev = true; }
  }
  const codes = new Set(bs.map((b) => b.code));
  const enf = (data.enforcement?.features ?? []).filter((f) => !state.wijk || (f.properties.buurt_code !== null && codes.has(f.properties.buurt_code)));
  return {
    total, withheld,
    prev: hasPrev ? prev : null,
    change: hasPrev && prev > 0 ? ((cur - prev) / prev) * 100 : null,
    rate: pop > 0 ? (total / pop) * 1000 : null,
    enfFree: enf.filter((f) => f.properties.outcome === 'compliance_without_sanction').length,
    enfAll: enf.length,
  };
}

function headlineTiles(hl: Headline): HTMLElement {
  return h('div', { class: 'tiles headline', 'data-testid': 'headline' },
    figureTile(t('head_total'), fmt.int(hl.total), hl.withheld ? t('head_withheld', { n: hl.withheld }) : null, 'head-total'),
    figureTile(t('head_change'), fmt.pct(hl.change), hl.prev !== null ? `${t('col_prev')}: ${fmt.int(hl.prev)}` : null, 'head-change'),
    figureTile(t('head_rate'), fmt.dec(hl.rate), null, 'head-rate'),
    figureTile(t('head_enf'), hl.enfAll ? fmt.pct((hl.enfFree / hl.enfAll) * 100).replace(/^\+/, '') : '–', t('head_enf_of', { n: fmt.int(hl.enfFree), m: fmt.int(hl.enfAll) }), 'head-enf'));
}

function topTable(n: number, caption: string, testid: string, withWijk = true): HTMLElement {
  const rows = scopedBuurten().filter((p) => p.count !== null).sort(byRank).slice(0, n);
  return h('table', { class: 'data compact', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('col_buurt')), withWijk ? h('th', { scope: 'col' }, t('col_wijk')) : null,
      h('th', { scope: 'col', class: 'num' }, t('col_count')), h('th', { scope: 'col', class: 'num' }, t('col_rate')), h('th', { scope: 'col', class: 'num' }, t('col_change')))),
    h('tbody', {}, rows.map((p, i) => h('tr', { 'data-code': p.code },
      h('td', { class: 'num' }, i + 1), h('th', { scope: 'row' }, buurtButton(p)), withWijk ? h('td', {}, p.parent_name ?? '') : null,
      h('td', { class: 'num' }, fmt.int(p.count)), h('td', { class: 'num' }, fmt.dec(p.rate_per_1000)), h('td', { class: 'num' }, fmt.pct(p.change_pct))))));
}

function renderViewPanel(focusPanel = false): void {
  const vp = document.getElementById('viewpanel');
  if (!vp || !data.buurten) return;
  if (state.buurt && data.detail && data.detail.code === state.buurt) {
    clear(vp, renderPanel(data.detail, state, typesLabel(), () => {
      const code = state.buurt;
      selectBuurt(null);
      document.querySelector<HTMLElement>(`#buurt-table button[data-code="${code}"]`)?.focus();
    }));
    if (focusPanel) vp.querySelector<HTMLElement>('#panel-title')?.focus({ preventScroll: true });
    return;
  }
  const period = fmt.period(state.from, state.to);
  const content: Child[] = [];
  if (state.view === 'wijk') content.push(...wijkView());
  else if (state.view === 'planning') content.push(...planningView());
  else if (state.view === 'indicatoren') content.push(...indicatorsView());
  else content.push(...stuurgroepView());
  clear(vp, h('div', { class: 'view', 'data-testid': `view-${state.view}` },
    h('p', { class: 'eyebrow' }, `${scopeLabel()} · ${period}`), ...content,
    h('p', { class: 'hint small muted' }, t('select_buurt_hint'))));
}

function barRows(items: { code: string; label: Child; value: number | null; text: string; note?: string }[], diverging: boolean): HTMLElement {
  const max = Math.max(1e-9, ...items.map((i) => Math.abs(i.value ?? 0)));
  return h('ul', { class: `bars cmp${diverging ? ' diverging' : ''}` }, items.map((i) => {
    const v = i.value;
    const w = v === null ? 0 : (Math.abs(v) / max) * (diverging ? 50 : 100);
    const style = diverging && v !== null ? (v < 0 ? `width:${w}%;margin-left:${50 - w}%;background:#2166ac` : `width:${w}%;margin-left:50%;background:#b2182b`) : `width:${w}%`;
    return h('li', { 'data-code': i.code },
      h('span', { class: 'bar-label' }, i.label),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: `bar${v === null ? ' bar-withheld' : ''}`, style: v === null ? 'width:100%' : style })),
      h('span', { class: 'bar-value' }, i.text));
  }));
}

function wijkView(): Child[] {
  const m = state.metric;
  if (!state.wijk) {
    const ws = (data.wijken?.features ?? []).map((f) => f.properties).sort((a, b) => (metricValue(b, m) ?? -Infinity) - (metricValue(a, m) ?? -Infinity));
    return [
      h('h2', {}, `${t('view_wijk')}: ${metricLabel()}`),
      h('p', { class: 'muted small' }, t('wijk_pick')),
      barRows(ws.map((w) => ({ code: w.code, label: h('button', { type: 'button', class: 'link', onclick: () => setWijk(w.code) }, w.name), value: metricValue(w, m), text: w.count === null ? t('withheld') : metricText(metricValue(w, m)) })), m === 'change'),
    ];
  }
  const w = data.wijken?.features.find((f) => f.properties.code === state.wijk)?.properties;
  const bs = scopedBuurten().sort((a, b) => (metricValue(b, m) ?? -Infinity) - (metricValue(a, m) ?? -Infinity));
  return [
    h('h2', {}, `${t('wijk')} ${wijkName(state.wijk)}`),
    w ? h('div', { class: 'tiles' },
      figureTile(t('fig_count'), countText(w.count), w.withheld ? t('fig_withheld_cells', { n: w.withheld }) : null, 'wijk-count'),
      figureTile(t('fig_rate'), fmt.dec(w.rate_per_1000)),
      figureTile(t('fig_change'), fmt.pct(w.change_pct)),
      figureTile(t('col_rank'), rankText(w.rank, w.rank_of))) : null,
    h('h3', {}, `${t('wijk_title')}: ${metricLabel()}`),
    barRows(bs.map((b) => ({ code: b.code, label: buurtButton(b), value: b.count === null ? null : metricValue(b, m), text: b.count === null ? t('withheld') : metricText(metricValue(b, m)) })), m === 'change'),
  ];
}

function planningView(): Child[] {
  const cams = data.cameras?.features ?? [];
  const camBuurten = new Set(cams.map((c) => c.properties.buurt_code).filter((c): c is string => !!c));
  const top = scopedBuurten().filter((p) => p.count !== null).sort(byRank).slice(0, 15);
  return [
    h('h2', {}, t('planning_h')),
    ...planningSections(),
    h('details', { class: 'panel-section' },
      h('summary', {}, h('h3', { class: 'inline-h' }, t('planning_title'))),
      h('ol', { class: 'ranked', 'data-testid': 'busiest' }, top.map((p) => h('li', { 'data-code': p.code },
        buurtButton(p),
        h('span', { class: 'ranked-fig' }, `${fmt.int(p.count)} · ${fmt.dec(p.rate_per_1000)} ${t('per_1000_short')}`),
        camBuurten.has(p.code) ? h('span', { class: 'badge' }, t('has_camera')) : null)))),
  ];
}

// ---------- indicators (issue #5) ----------
const inds: { key: string | null; data: Indicator[] | null; status: 'idle' | 'loading' | 'ready' | 'error'; error: string } = { key: null, data: null, status: 'idle', error: '' };
function ensureIndicators(): void {
  const key = state.wijk ?? '';
  if (inds.key === key && inds.status !== 'error') return;
  Object.assign(inds, { key, status: 'loading', error: '' });
  document.body.dataset.indicatorsStatus = 'loading';
  api.indicators(state.wijk).then((d) => {
    if (inds.key !== key) return;
    Object.assign(inds, { data: d, status: 'ready' });
  }, (err: unknown) => {
    if (inds.key !== key) return;
    Object.assign(inds, { data: null, status: 'error', error: (err as Error).message });
  }).finally(() => {
    if (inds.key !== key) return;
    if (state.view === 'indicatoren' && !state.buurt) renderViewPanel();
    document.body.dataset.indicatorsStatus = inds.status;
  });
}

function indicatorsView(): Child[] {
  const area = state.wijk;
  return [
    h('div', { class: 'view-head' },
      h('h2', {}, t('ind_title')),
      h('a', { class: 'btn btn-primary', id: 'open-report', href: reportHref() }, t('rap_open'))),
    h('div', { class: 'field ind-area' }, h('label', { for: 'ind-area' }, t('ind_area')),
      h('select', { id: 'ind-area', onchange: (e: Event) => setWijk((e.target as HTMLSelectElement).value || null) },
        h('option', { value: '' }, `${t('all_wijken')} (${meta.gemeente.name})`),
        [...meta.wijken].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((w) => h('option', { value: w.code, selected: area === w.code }, w.name)))),
    inds.status === 'loading' ? h('p', { class: 'small muted', role: 'status' }, t('loading')) : null,
    inds.status === 'error' ? h('p', { class: 'small error', role: 'alert' }, t('error', { m: inds.error })) : null,
    inds.data ? h('div', { class: 'ind-grid', 'data-testid': 'indicators' }, [...inds.data].sort((a, b) => a.number - b.number).map((i) => indicatorCard(i, {
      editable: true, area,
      onUpdate: (u) => { if (inds.data) inds.data = inds.data.map((x) => (x.key === u.key ? u : x)); },
      onArea: (code) => setWijk(code),
    }))) : null,
  ];
}

function reportHref(): string {
  const p = periodOptions(meta)[0] ?? meta.periods.last.slice(0, 4);
  return `${location.pathname}${stateToSearch(state)}#/rapport?period=${p}${state.lang === 'en' ? '&lang=en' : ''}`;
}

function stuurgroepView(): Child[] {
  return [
    h('div', { class: 'view-head' },
      h('h2', {}, t('stuur_title')),
      h('div', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'print', 'aria-label': t('print_label'), onclick: printReport }, t('print')),
        h('a', { class: 'btn', id: 'open-report', href: reportHref() }, t('rap_open')))),
    headlineTiles(headline()),
    topTable(10, t('top10'), 'top10', false),
  ];
}

function renderReport(): void {
  const r = document.getElementById('report');
  if (!r) return;
  const g = meta.gemeente.name;
  clear(r,
    h('header', { class: 'report-head' },
      h('div', {}, h('div', { class: 'report-brand' }, `wijkveilig · ${t('app_sub')} ${g}`), h('h1', {}, t('report_title', { g }))),
      h('div', { class: 'report-meta' }, h('div', {}, `${scopeLabel()} · ${fmt.period(state.from, state.to)}`), h('div', {}, typesLabel()),
        meta.demo ? h('div', { class: 'report-demo' }, t('demo_banner')) : null)),
    h('div', { class: 'report-body' },
      h('div', { class: 'report-map' }, h('img', { id: 'report-map-img', alt: mapEl.getAttribute('aria-label') ?? '' }), buildLegend()),
      h('div', { class: 'report-side' }, headlineTiles(headline()), topTable(10, t('top10'), 'report-top10'))),
    h('footer', { class: 'report-foot' }, t('source_note', { y: meta.boundary_year ?? '' }), ` · ${t('printed_on', { d: fmt.date(new Date()) })}`));
}

let printOverride = false;
function prepareReport(): void {
  if (printOverride) return;
  renderReport();
  const img = document.getElementById('report-map-img') as HTMLImageElement | null;
  if (img) img.src = dmap.snapshot();
}

function printReport(): void {
  prepareReport();
  window.print();
}

/** Fills gaps a fresh or partial database may leave in /api/meta. */
function normaliseMeta(m: RawMeta): Meta {
  const wb = m.wijken.map((w) => w.bbox);
  const bbox: Meta['bbox'] = m.bbox ?? (wb.length
    ? [Math.min(...wb.map((b) => b[0])), Math.min(...wb.map((b) => b[1])), Math.max(...wb.map((b) => b[2])), Math.max(...wb.map((b) => b[3]))]
    : [3.3, 50.7, 7.3, 53.6]);
  const last = m.periods.last ?? m.default_range.to;
  return {
    ...m,
    gemeente: m.gemeente ?? { code: '', name: '–' },
    bbox,
    periods: { ...m.periods, first: m.periods.first ?? m.default_range.from, last },
  };
}

/** Prints another document (the patrol list) in place of the report, then restores it. */
function printDoc(doc: HTMLElement): void {
  const r = document.getElementById('report');
  if (!r) return;
  printOverride = true;
  r.classList.add('print-doc');
  clear(r, doc);
  const restore = (): void => {
    printOverride = false;
    r.classList.remove('print-doc');
    renderReport();
  };
  window.addEventListener('afterprint', restore, { once: true });
  window.print();
}

// ---------- boot ----------
/**
 * Ends the current task. With the first requests already answered, boot would otherwise run as
 * one long task, and the map's worker (prewarmed when this bundle ran, see map.ts) could not
 * start: the browser starts a worker with a task on this thread once its script has loaded.
 */
const yieldToBrowser = (): Promise<void> => new Promise((resolve) => { setTimeout(resolve, 0); });

async function boot(): Promise<void> {
  try {
    const [m, types] = await Promise.all([early.meta, early.crimeTypes]);
    meta = normaliseMeta(m);
    crimeTypes = types;
    performance.mark('wv-meta');
  } catch (err) {
    clear($('#app'), h('p', { class: 'fatal', role: 'alert' }, `wijkveilig: ${(err as Error).message}`));
    return;
  }
  state = parseState(location.search, meta.default_range);
  setLang(state.lang);
  window.addEventListener('hashchange', () => {
    if (parseReportHash(location.hash)) void showReport(); else location.reload();
  });
  if (parseReportHash(location.hash)) { await showReport(); return; }
  await yieldToBrowser();
  buildShell();
  syncUrl();
  const wb = meta.wijken.find((w) => w.code === state.wijk)?.bbox ?? meta.bbox;
  dmap = new DashboardMap(mapEl, [[wb[0], wb[1]], [wb[2], wb[3]]], meta.basemap_style_url, {
    onSelect: (code) => selectBuurt(code),
    onMove: (lon, lat, zoom) => { state.camera = [lon, lat, zoom]; syncUrl(); },
    onPlace: (lon, lat) => placeAt(lon, lat),
  });
  initPlanning({
    state: () => state, query, map: () => dmap, syncUrl, cameras: () => data.cameras,
    reloadCameras: async () => { data.cameras = await api.cameras(); pushStatics(); camerasChanged(); },
    selectBuurt: (code) => selectBuurt(code, true), renderLegend, print: printDoc,
  });
  if (state.camera) dmap.map.jumpTo({ center: [state.camera[0], state.camera[1]], zoom: state.camera[2] });
  window.wijkveilig = { map: dmap.map, state: () => state, renderSeq: () => renderSeq, idle: () => dmap.idle() };
  window.addEventListener('beforeprint', prepareReport);
  await yieldToBrowser();
  staticsLoaded = Promise.all([early.cameras, early.initiatives])
    .then(([c, i]) => { data.cameras = c; data.initiatives = i; }, (e: unknown) => console.error(e));
  // The figures (requested by index.html) and the map load at the same time; the first data
  // render draws them together with the cameras and initiatives.
  await refreshData();
  if (state.buurt) dmap.setSelected(state.buurt);
}

async function showReport(): Promise<void> {
  const r = parseReportHash(location.hash);
  if (r?.lang) state.lang = r.lang;
  await renderReportPage(meta, state.lang, (l) => {
    state.lang = l;
    const p = parseReportHash(location.hash)?.period ?? '';
    location.hash = `#/rapport?period=${p}${l === 'en' ? '&lang=en' : ''}`;
  });
}

void boot();
