// The dashboard's wiring. The state lives in the URL (state.ts): every action here changes
// `state`, writes it back to the URL, loads what the new state needs through a Slot (load.ts) and
// renders. The controls (controls/) and the views (views/) call these actions and read the state
// and the slots; they hold no data of their own.
import { allowedWijk, viewLayers, type Access } from './access';
import { api, queryKey, scopeKey, scopeOf, type AreaDetail, type AreaProps, type Cameras, type CrimeType, type EnforcementPoints, type FigureSet, type Incidents, type Indicator, type Initiatives, type Meta, type Query, type TileSet } from './api';
import type { Boot, FirstFigures } from './boot';
import type { Classes } from './classify';
import { syncLayerBoxes } from './controls/layers';
import { stopPlay, syncPeriod } from './controls/period';
import { syncTabs } from './controls/tabs';
import { rebuildTypeFilter } from './controls/crime-types';
import { syncWijkSelect } from './controls/wijk';
import { $, h } from './dom';
import { classesFor, inScope, metricCell } from './figures';
import { setLang, t, type Key } from './i18n';
import { Slot, statusNote } from './load';
import { DashboardMap } from './map';
import { dataYears, yearPoint, yearRange, type YearPoint } from './trend';
import { estimatedShort, gemeenteName, scopeSearch, type MissingScope } from './scope';
import { stateToSearch, type Layer, type Metric, type State, type View } from './state';
import { renderLegend } from './views/legend';
import { renderMapNotes } from './views/map-notes';
import { renderMap } from './views/map-view';
import { camerasChanged, ensure as ensureAnalyses, initPlanning, leave as leavePlanning, placeAt } from './views/planning';
import { markPrintStale, preparePrint, printDoc, printReport } from './views/print';
import { buildShell } from './views/shell';
import { renderTable } from './views/table';
import { renderViewPanel } from './views/viewpanel';

/** The longest the table and the search list wait for the map's first figures (`App.renderBelow`). */
const BELOW_WAIT_MS = 3000;

/** The figures for one query: buurten and wijken with their figures (by tile id, no geometry), and the enforcement points. */
export interface AreaData { buurten: FigureSet; wijken: FigureSet; enforcement: EnforcementPoints }

declare global {
  interface Window { wijkveilig?: { map: DashboardMap['map']; state: () => State; renderSeq: () => number; idle: () => Promise<void>; tiles: () => TileSet | null } }
}

export class App {
  readonly mapEl = h('div', { id: 'map', class: 'map', role: 'region' });
  map!: DashboardMap;
  /** the figures of the period and crime types in the URL */
  readonly figures = new Slot<AreaData>({ onChange: () => this.figuresStatus() });
  /** the selected buurt's details (the panel) */
  readonly detail = new Slot<AreaDetail>();
  /** the selected buurt's count per year, when the data has only yearly figures (the panel's trend) */
  readonly yearly = new Slot<YearPoint[]>();
  /** incident points, for the client heatmap layer only */
  readonly incidents = new Slot<Incidents>({ onChange: () => this.renderLegend() });
  readonly cameras = new Slot<Cameras>();
  readonly initiatives = new Slot<Initiatives>();
  readonly indicators = new Slot<Indicator[]>({ name: 'indicators' });
  private seq = 0;
  private camerasVersion = 0;
  /** cameras and initiatives have arrived (or failed): the first data render waits for them */
  private statics: Promise<unknown> = Promise.resolve();
  /** the figures index.html started loading, taken once if they are for the app's query */
  private firstFigures: FirstFigures | null;
  private focusPanelNext = false;
  private refreshTimer: number | null = null;
  /** the search box's suggestions, and the buurten they list */
  private datalist: { el: HTMLElement | null; data: FigureSet | null } = { el: null, data: null };
  /** whether the table and the search list render with the rest (see `renderBelow`) */
  private belowFree = false;
  private belowWanted = false;
  private classMemo: { buurten: FigureSet; metric: Metric; classes: Classes } | null = null;
  /** the point layers' data as last handed to the map (they go to the map only while shown) */
  private pushed: Record<'enforcement' | 'incidents' | 'cameras' | 'initiatives', unknown> = { enforcement: null, incidents: null, cameras: null, initiatives: null };

  /** the basemap from meta's `basemap_style_url` could not be loaded: the map shows the plain style */
  basemapDown = false;

  /** the vector tiles of the boundary year (/api/tiles), once they are known */
  tiles: TileSet | null = null;
  /** /api/tiles failed: the map has no areas to draw, and says so */
  tilesDown = false;

  /** what the link's scope named that the data lacks (main.ts showed the default instead), for the map's note */
  missingScope: MissingScope | null = null;

  /** the session has ended (a request answered 401): nothing renders any more */
  private halted = false;

  constructor(readonly meta: Meta, readonly crimeTypes: CrimeType[], readonly state: State, private readonly early: Boot, readonly access: Access) {
    this.firstFigures = early.figures;
  }

  /**
   * The session has ended and the sign-in page takes the page: stop the timers and every render
   * (answers still under way find no page to render into). The URL keeps the state.
   */
  halt(): void {
    this.halted = true;
    stopPlay();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  // ---------- derived ----------
  query(): Query { return { from: this.state.from, to: this.state.to, types: this.state.types.join(','), ...scopeOf(this.state) }; }
  syncUrl(): void { history.replaceState(null, '', stateToSearch(this.state)); }
  typeTitle(code: string): string { return this.crimeTypes.find((c) => c.code === code)?.title ?? code; }
  typesLabel(): string {
    const ts = this.state.types;
    return ts.length === 1 && ts[0] === '0.0.0' ? t('all_types') : ts.map((c) => this.typeTitle(c)).join(', ');
  }
  /** the wijken the scope may be: a wijkregisseur's own, else all of the gemeente */
  scopeWijken(): Meta['wijken'] {
    const own = this.access.wijken;
    return own ? this.meta.wijken.filter((w) => own.includes(w.code)) : this.meta.wijken;
  }
  wijkName(code: string | null): string { return this.meta.wijken.find((w) => w.code === code)?.name ?? gemeenteName(this.meta); }
  scopeLabel(): string { return this.state.wijk ? `${t('wijk')} ${this.wijkName(this.state.wijk)}` : gemeenteName(this.meta); }
  /** The gemeente whose indicators (targets, baselines) are shown: the one in scope; null with all gemeenten, which have none together. */
  indicatorGemeente(): string | null { return this.meta.all_gemeenten ? null : this.meta.gemeente.code || null; }
  metricLabel(m: Metric = this.state.metric): string { return t(`metric_${m}` as Key); }
  /** all buurten with their figures (none before the first figures arrive) */
  buurten(): AreaProps[] { return this.figures.data?.buurten.areas ?? []; }
  /** the buurten of the wijk in scope, or all */
  scopedBuurten(): AreaProps[] { return this.buurten().filter((p) => inScope(p, this.state.wijk)); }
  /** the choropleth's classes for the metric shown */
  classes(): Classes | null {
    const b = this.figures.data?.buurten;
    if (!b) return null;
    const m = this.state.metric;
    if (this.classMemo?.buurten !== b || this.classMemo.metric !== m) this.classMemo = { buurten: b, metric: m, classes: classesFor(b.areas, m) };
    return this.classMemo.classes;
  }

  // ---------- start ----------
  /** Builds the page and the map; the data comes with `loadFirst`. */
  start(): void {
    buildShell(this);
    this.syncUrl();
    const m = this.meta;
    const wb = m.wijken.find((w) => w.code === this.state.wijk)?.bbox ?? m.bbox;
    this.map = new DashboardMap(this.mapEl, [[wb[0], wb[1]], [wb[2], wb[3]]], m.basemap_style_url, {
      onSelect: (code) => this.selectBuurt(code),
      onMove: (lon, lat, zoom) => { this.state.camera = [lon, lat, zoom]; this.syncUrl(); },
      onPlace: (lon, lat) => placeAt(lon, lat),
      onBasemapDown: () => { this.basemapDown = true; renderMapNotes(this); },
      buurtTitle: (code) => {
        const p = this.buurten().find((b) => b.code === code);
        return p ? `${p.name}: ${metricCell(p, this.state.metric)}${p.estimated ? ` · ${estimatedShort(p.estimated)}` : ''}` : '';
      },
    });
    // the wijk and buurt names of this gemeente only (the tiles hold every gemeente's)
    this.map.setGemeente(this.meta.all_gemeenten ? null : this.meta.gemeente.code || null);
    initPlanning(this);
    const cam = this.state.camera;
    if (cam) this.map.map.jumpTo({ center: [cam[0], cam[1]], zoom: cam[2] });
    window.wijkveilig = { map: this.map.map, state: () => this.state, renderSeq: () => this.seq, idle: () => this.map.idle(), tiles: () => this.tiles };
    if (this.access.can.report) window.addEventListener('beforeprint', () => preparePrint(this));
  }

  /**
   * The first data: the requests index.html started (boot.ts). The map gets its style as soon as
   * the tiles are known, so that they load while the figures are still on their way; the figures
   * then colour them.
   */
  async loadFirst(): Promise<void> {
    void this.early.tiles.then((ts) => {
      this.tiles = ts;
      this.map.setTiles(ts);
      this.map.start();
    }, () => {
      // without tiles the map has no areas: it still shows the points, and says why the areas lack
      this.tilesDown = true;
      this.renderLegend();
    });
    this.statics = Promise.all([
      this.cameras.load('boot', () => this.early.cameras),
      this.initiatives.load('boot', () => this.early.initiatives),
    ]);
    await this.refresh();
    if (this.state.buurt) this.map.setSelected(this.state.buurt);
  }

  // ---------- loading ----------
  /** Loads the figures for the state's query (nothing when they are loaded) and renders them. */
  refresh(): Promise<boolean> {
    const q = this.query();
    this.ensureIncidents();
    return this.figures.load(queryKey(q), async (signal) => {
      const pre = await this.takeFirstFigures(q);
      const [buurten, wijken, enforcement] = await Promise.all(pre ? [pre.buurten, pre.wijken, pre.enforcement] : [
        api.figures(q, 'buurt', signal), api.figures(q, 'wijk', signal), api.enforcement(q, signal),
      ]);
      if (!performance.getEntriesByName('wv-data').length) performance.mark('wv-data');
      // the first render also draws the cameras and initiatives, in the same map style
      await this.statics;
      return { buurten, wijken, enforcement };
    }, (d) => {
      this.render();
      if (d && this.state.buurt) this.loadDetail();
    });
  }

  /** A period change from the sliders: the figures load once the slider rests for a moment. */
  scheduleRefresh(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => { this.refreshTimer = null; this.syncUrl(); void this.refresh(); }, 250);
  }

  private async takeFirstFigures(q: Query): Promise<FirstFigures | null> {
    const f = this.firstFigures;
    this.firstFigures = null;
    if (!f || f.types !== q.types || f.scope !== scopeKey(q)) return null;
    if (f.key !== null) return f.key === queryKey(q) ? f : null;
    // asked for the API's default period: use them if that is the period the app shows
    const b = await f.buurten.catch(() => null);
    return b?.period?.from === q.from && b.period.to === q.to ? f : null;
  }

  private figuresStatus(): void {
    if (this.halted) return;
    const f = this.figures;
    document.body.dataset.loading = String(f.loading);
    const el = document.getElementById('map-status');
    const s = f.loading ? t('loading') : f.status === 'error' ? f.error : '';
    if (el) { el.textContent = s; el.hidden = !s; }
  }

  /** The incident points (about 1 MB a year) feed only the heatmap layer: they load when it is on. */
  ensureIncidents(): void {
    if (!this.state.layers.has('heatmap') || !this.access.can.points) return;
    const q = this.query();
    void this.incidents.load(queryKey(q), (signal) => api.incidents(q, signal), () => this.pushPointLayers());
  }

  /** The indicator cards' data, for the indicator area (the wijk in scope), in the Indicatoren view. */
  ensureIndicators(): void {
    if (this.state.view !== 'indicatoren') return;
    const area = this.state.wijk ?? this.indicatorGemeente();
    // all gemeenten together have no indicators: the view says so (views/indicatoren.ts)
    if (!area) return;
    void this.indicators.load(area ?? '', (signal) => api.indicators(area, signal), () => {
      if (this.state.view === 'indicatoren' && !this.state.buurt) renderViewPanel(this);
    });
  }

  private loadDetail(): void {
    const code = this.state.buurt;
    if (!code) { this.detail.reset(); renderViewPanel(this); return; }
    const q = this.query();
    const key = `${code}|${queryKey(q)}`;
    const show = (): void => { renderViewPanel(this, this.focusPanelNext); this.focusPanelNext = false; };
    if (this.detail.key === key && this.detail.status === 'ready') { show(); return; }
    void this.detail.load(key, (signal) => api.area(code, q, signal), show);
    this.loadYearly(code);
  }

  /** The years the data covers, when it has only yearly figures (null when it has months). */
  yearlyYears(): number[] | null {
    const p = this.meta.periods;
    return p.monthly ? null : dataYears(p.first, p.last);
  }

  /**
   * Yearly-only data has no months for the panel's trend: the buurt's figures per year, one
   * request per year of the data (none when the data has a single year: there is no trend).
   */
  private loadYearly(code: string): void {
    const years = this.yearlyYears();
    if (!years || years.length < 2) return;
    const types = this.query().types;
    void this.yearly.load(`${code}|${types}`, (signal) => Promise.all(years.map((y) =>
      api.area(code, { ...yearRange(y), types, ...scopeOf(this.state) }, signal).then((d) => yearPoint(y, d)))), () => {
      if (this.state.buurt === code) renderViewPanel(this);
    });
  }

  /** The panel's yearly trend (null when the data has months). */
  yearlyTrend(): { years: number[]; points: YearPoint[] | null; status: HTMLElement | null } | null {
    const years = this.yearlyYears();
    if (!years) return null;
    const y = this.yearly;
    const mine = y.key?.startsWith(`${this.state.buurt}|`) ?? false;
    return { years, points: mine && y.status === 'ready' ? y.data : null, status: mine ? statusNote(y) : null };
  }

  async reloadCameras(): Promise<void> {
    if (!this.access.can.points) return;
    await this.cameras.load(`v${++this.camerasVersion}`, () => api.cameras(), () => { this.pushStatics(); camerasChanged(); });
  }

  /** Cameras and watch initiatives, whenever they changed. */
  pushStatics(): void {
    const c = this.cameras.data, i = this.initiatives.data;
    if (c && this.pushed.cameras !== c) { this.map.setCameras(c); this.pushed.cameras = c; }
    if (i && this.pushed.initiatives !== i) { this.map.setInitiatives(i); this.pushed.initiatives = i; }
  }

  /** Point layers are handed to the map only while shown: less work for the map's worker. */
  pushPointLayers(): void {
    const l = this.state.layers;
    const e = this.figures.data?.enforcement, inc = this.incidents.data;
    if (l.has('enforcement') && e && this.pushed.enforcement !== e) { this.map.setEnforcement(e); this.pushed.enforcement = e; }
    if (l.has('heatmap') && inc && this.pushed.incidents !== inc) { this.map.setIncidents(inc); this.pushed.incidents = inc; }
  }

  // ---------- actions ----------
  setView(v: View): void {
    const s = this.state;
    if (s.view === v || !this.access.views.includes(v)) return;
    s.view = v;
    s.layers = viewLayers(v, this.access);
    this.ensureIncidents();
    syncTabs(v);
    document.querySelector('.layout')?.setAttribute('data-view', v);
    if (v !== 'planning') leavePlanning();
    const vp = $('#viewpanel');
    vp.setAttribute('aria-labelledby', `tab-${v}`);
    vp.dataset.view = v;
    syncLayerBoxes(s.layers);
    this.pushPointLayers();
    this.map.setLayers(s.layers);
    this.syncUrl();
    this.render();
  }

  /**
   * Another gemeente or boundary year (issue #11): the dashboard loads again for it, with the same
   * view, period, crime types and layers (the URL is the state; meta, the wijken, the figures and
   * every analysis belong to the scope). The map fits the new gemeente.
   */
  setScope(scope: { gemeente?: string | null; indeling?: number | null }): void {
    location.assign(`${location.pathname}${scopeSearch(this.state, scope)}`);
  }

  setWijk(code: string | null): void {
    code = allowedWijk(code, this.access);
    this.state.wijk = code;
    this.state.camera = null;
    const w = this.meta.wijken.find((x) => x.code === code);
    this.map.fit(w ? w.bbox : this.meta.bbox);
    syncWijkSelect(code);
    this.syncUrl();
    this.render();
  }

  /** A new map value recolours the choropleth (feature-state); the data stay as they are. */
  setMetric(m: Metric): void {
    this.state.metric = m;
    this.syncUrl();
    this.render();
  }

  setTypes(types: string[]): void {
    this.state.types = types.length ? types : ['0.0.0'];
    rebuildTypeFilter(this);
    this.syncUrl();
    void this.refresh();
  }

  /** Moves the period (the play button); the sliders and outputs follow. */
  setPeriod(from: string, to: string): void {
    this.state.from = from;
    this.state.to = to;
    syncPeriod(this.state);
    this.syncUrl();
    void this.refresh();
  }

  setLayer(l: Layer, on: boolean): void {
    const s = this.state;
    if (on && !this.access.layers.includes(l)) return;
    if (on) s.layers.add(l); else s.layers.delete(l);
    if (l === 'heatmap') this.ensureIncidents();
    this.pushPointLayers();
    this.map.setLayers(s.layers);
    this.syncUrl();
    ensureAnalyses();
    this.renderLegend();
    markPrintStale();
    if (s.view === 'planning') {
      const box = document.getElementById(`${l === 'kde' ? 'kde' : 'em'}-layer`) as HTMLInputElement | null;
      if (box) box.checked = on;
    }
  }

  selectBuurt(code: string | null, zoom = false): void {
    this.state.buurt = code;
    this.focusPanelNext = code !== null;
    this.syncUrl();
    this.map.setSelected(code);
    if (code && zoom) {
      // the buurt's bounds from the tiles loaded (the gemeente's are, when it is in view), else its wijk's
      const p = this.buurten().find((x) => x.code === code);
      const b = this.map.areaBounds(code) ?? this.meta.wijken.find((w) => w.code === p?.parent_code)?.bbox;
      if (p && b) this.map.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 80, maxZoom: 15, duration: 600 });
    }
    this.loadDetail();
  }

  toggleLang(): void {
    const s = this.state;
    s.lang = s.lang === 'nl' ? 'en' : 'nl';
    setLang(s.lang);
    this.syncUrl();
    buildShell(this);
    this.render();
    $('.lang').focus();
  }

  print(): void { if (this.access.can.report) printReport(this); }
  /** Prints another document (the patrol list) in place of the one-page report. */
  printDoc(doc: HTMLElement): void { printDoc(doc); }
  /** The legend and the map's notes, which follow the same layers and data. */
  renderLegend(): void {
    if (this.halted) return;
    renderLegend(this);
    renderMapNotes(this);
  }

  // ---------- rendering ----------
  /**
   * What lies below the map: the buurt table and the search field's list of buurten. For every
   * gemeente at once that is a thousand rows and ten thousand options, which take the page longer
   * to build and lay out than the map takes to draw its first figures. So the first time they wait
   * for the map's first frame with figures (`releaseBelow`), for the map to be idle, or at most
   * BELOW_WAIT_MS; from then on they render with the rest. Without figures (loading, an error) the
   * table's note shows at once.
   */
  private renderBelow(): void {
    const d = this.figures.data;
    if (d && !this.belowFree) { this.belowWanted = true; return; }
    const datalist = document.getElementById('buurt-list');
    if (datalist && d && (this.datalist.el !== datalist || this.datalist.data !== d.buurten)) {
      this.datalist = { el: datalist, data: d.buurten };
      datalist.replaceChildren(...d.buurten.areas.map((p) => h('option', { value: `${p.name} (${p.code})` })));
    }
    renderTable(this);
  }

  /** The map has drawn its first figures (or had its chance): what waits below it renders now. */
  releaseBelow(): void {
    if (this.belowFree || this.halted) return;
    this.belowFree = true;
    if (this.belowWanted) { this.belowWanted = false; this.renderBelow(); }
  }

  /**
   * Renders the state with the data loaded: the map (new data only when it changed, colours as
   * feature-state), the legend, the buurt table and the view panel. The hidden print report is
   * only marked stale: it renders when printed.
   */
  render(): void {
    if (this.halted) return;
    const d = this.figures.data;
    renderMap(this);
    ensureAnalyses();
    this.ensureIndicators();
    this.renderLegend();
    this.renderBelow();
    renderViewPanel(this);
    markPrintStale();
    if (!d) return;
    const seq = ++this.seq;
    document.body.dataset.renderSeq = String(seq);
    if (!this.belowFree) window.setTimeout(() => this.releaseBelow(), BELOW_WAIT_MS);
    void this.map.idle().then(() => {
      this.releaseBelow();
      if (seq !== this.seq) return;
      if (!performance.getEntriesByName('wv-first-map-idle').length) performance.mark('wv-first-map-idle');
      document.body.dataset.mapIdle = String(seq);
    });
  }
}
