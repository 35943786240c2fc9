// The whole view state lives in the URL query string, so a link reproduces the view.
export type View = 'wijk' | 'planning' | 'stuurgroep' | 'indicatoren';
export const VIEWS: View[] = ['wijk', 'planning', 'stuurgroep', 'indicatoren'];
export type Metric = 'count' | 'rate' | 'change';
export type Lang = 'nl' | 'en';
export const LAYERS = ['choropleth', 'hotspots', 'emerging', 'kde', 'wijken', 'heatmap', 'cameras', 'enforcement', 'initiatives'] as const;
export type Layer = (typeof LAYERS)[number];

export interface State {
  view: View;
  /**
   * the scope (issue #11): a CBS gemeente code (`GM0141`) or `alle` (every gemeente of the
   * boundary year), and the CBS boundary year (`indeling`, 0: a set whose year is not known);
   * null: the API's default (the gemeente with the most figures, the newest boundary year)
   */
  gemeente: string | null;
  indeling: number | null;
  from: string;
  to: string;
  types: string[];
  metric: Metric;
  wijk: string | null;
  buurt: string | null;
  layers: Set<Layer>;
  lang: Lang;
  /** map camera: lon, lat, zoom (null: fit the gemeente or wijk) */
  camera: [number, number, number] | null;
  /** planning analyses (issue #4) */
  plan: PlanState;
}

export interface PlanState {
  /** Gi* on counts or (EB-smoothed) rates */
  hsValue: 'count' | 'rate';
  fdr: boolean;
  permutations: 0 | 999;
  /** emerging hot spot time step */
  step: 'month' | 'year';
  /** KDE bandwidth in metres, null = the backend's default */
  bandwidth: number | null;
  /**
   * the density's grid cell in metres, or null: the server's choice, the smallest of 100 m and up
   * that its cost limits allow (100 m for a gemeente, coarser for the whole country)
   */
  cell: number | null;
  /** suggested camera sites */
  k: number;
  radius: number;
  /** patrol list */
  halfLife: number;
}

export const PLAN_DEFAULTS: PlanState = { hsValue: 'count', fdr: true, permutations: 0, step: 'month', bandwidth: null, cell: null, k: 5, radius: 150, halfLife: 30 };

export const VIEW_LAYERS: Record<View, Layer[]> = {
  wijk: ['choropleth', 'wijken', 'cameras', 'initiatives'],
  planning: ['hotspots', 'kde', 'wijken', 'cameras'],
  stuurgroep: ['kde', 'wijken'],
  indicatoren: ['choropleth', 'wijken'],
};

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const oneOf = <T extends string>(v: string | null, all: readonly T[], dflt: T): T =>
  v !== null && (all as readonly string[]).includes(v) ? (v as T) : dflt;

export function parseState(search: string, defaults: { from: string; to: string }): State {
  const q = new URLSearchParams(search);
  const view = oneOf(q.get('view'), VIEWS, 'wijk');
  let from = q.get('from') ?? '';
  let to = q.get('to') ?? '';
  if (!MONTH.test(from)) from = defaults.from;
  if (!MONTH.test(to)) to = defaults.to;
  if (from > to) [from, to] = [to, from];
  const types = (q.get('types') ?? '').split(',').map((s) => s.trim()).filter((s) => /^\d+(\.\d+){0,2}$/.test(s));
  const layersRaw = q.get('layers');
  const layers = new Set<Layer>(
    layersRaw === null ? VIEW_LAYERS[view] : layersRaw.split(',').filter((l): l is Layer => (LAYERS as readonly string[]).includes(l)),
  );
  const cam = (q.get('map') ?? '').split(',').map(Number);
  const num = (k: string, lo: number, hi: number, d: number): number => {
    const v = Number(q.get(k));
    return q.get(k) !== null && Number.isFinite(v) && v >= lo && v <= hi ? v : d;
  };
  const D = PLAN_DEFAULTS;
  const bw = num('bw', 10, 5000, -1);
  const cell = num('cell', 25, 1000, -1);
  const plan: PlanState = {
    hsValue: oneOf(q.get('hs'), ['count', 'rate'] as const, D.hsValue),
    fdr: q.get('fdr') !== '0',
    permutations: q.get('perm') === '999' ? 999 : 0,
    step: oneOf(q.get('step'), ['month', 'year'] as const, D.step),
    bandwidth: bw > 0 ? bw : null,
    cell: cell > 0 ? cell : null,
    k: Math.round(num('k', 1, 50, D.k)),
    radius: num('r', 10, 2000, D.radius),
    halfLife: num('hl', 1, 3650, D.halfLife),
  };
  const indeling = q.get('indeling') ?? '';
  return {
    view,
    gemeente: /^(GM\d{4}|alle)$/.test(q.get('gemeente') ?? '') ? q.get('gemeente') : null,
    indeling: /^(0|[12]\d{3})$/.test(indeling) ? Number(indeling) : null,
    from,
    to,
    types: types.length ? types : ['0.0.0'],
    metric: oneOf(q.get('metric'), ['count', 'rate', 'change'] as const, 'count'),
    wijk: /^WK\d{6}$/.test(q.get('wijk') ?? '') ? q.get('wijk') : null,
    buurt: /^BU\d{8}$/.test(q.get('buurt') ?? '') ? q.get('buurt') : null,
    layers,
    lang: oneOf(q.get('lang'), ['nl', 'en'] as const, 'nl'),
    camera: cam.length === 3 && cam.every(Number.isFinite) ? (cam as [number, number, number]) : null,
    plan,
  };
}

export function stateToSearch(s: State): string {
  const q = new URLSearchParams();
  if (s.gemeente) q.set('gemeente', s.gemeente);
  if (s.indeling !== null) q.set('indeling', String(s.indeling));
  q.set('view', s.view);
  q.set('from', s.from);
  q.set('to', s.to);
  q.set('types', s.types.join(','));
  q.set('metric', s.metric);
  if (s.wijk) q.set('wijk', s.wijk);
  if (s.buurt) q.set('buurt', s.buurt);
  q.set('layers', LAYERS.filter((l) => s.layers.has(l)).join(','));
  const p = s.plan, D = PLAN_DEFAULTS;
  if (p.hsValue !== D.hsValue) q.set('hs', p.hsValue);
  if (!p.fdr) q.set('fdr', '0');
  if (p.permutations) q.set('perm', String(p.permutations));
  if (p.step !== D.step) q.set('step', p.step);
  if (p.bandwidth !== null) q.set('bw', String(p.bandwidth));
  if (p.cell !== null) q.set('cell', String(p.cell));
  if (p.k !== D.k) q.set('k', String(p.k));
  if (p.radius !== D.radius) q.set('r', String(p.radius));
  if (p.halfLife !== D.halfLife) q.set('hl', String(p.halfLife));
  if (s.camera) q.set('map', s.camera.map((n, i) => n.toFixed(i === 2 ? 2 : 5)).join(','));
  q.set('lang', s.lang);
  return `?${q.toString().replaceAll('%2C', ',')}`;
}

/**
 * Widens the period to whole years (January of the first, December of the last): yearly-only
 * data has figures for whole years, and none for a part of one.
 */
export function snapToYears(s: Pick<State, 'from' | 'to'>): void {
  s.from = `${s.from.slice(0, 4)}-01`;
  s.to = `${s.to.slice(0, 4)}-12`;
}

// Month arithmetic on "YYYY-MM" strings.
export function monthIndex(m: string): number {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return y * 12 + mo - 1;
}
export function monthFromIndex(i: number): string {
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
export function addMonths(m: string, n: number): string {
  return monthFromIndex(monthIndex(m) + n);
}
