// Typed access to the wijkveilig HTTP API (docs/api.md). Same origin, under /api/.
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';

export interface Figures {
  count: number | null;
  withheld: number;
  rate_per_1000: number | null;
  previous_count: number | null;
  change_pct: number | null;
  rank: number | null;
  rank_of: number | null;
}

export interface Meta {
  demo: boolean;
  demo_notice: string | null;
  gemeente: { code: string; name: string };
  boundary_year: number | null;
  bbox: [number, number, number, number];
  periods: { first: string; last: string; monthly: boolean };
  default_range: { from: string; to: string };
  wijken: { code: string; name: string; bbox: [number, number, number, number] }[];
  basemap_style_url: string | null;
  counts: Record<string, number>;
}

/** /api/meta as sent: an empty database has no gemeente, bbox or periods yet. */
export interface RawMeta extends Omit<Meta, 'gemeente' | 'bbox' | 'periods'> {
  gemeente: { code: string; name: string } | null;
  bbox: [number, number, number, number] | null;
  periods: { first: string | null; last: string | null; monthly: boolean };
}

/** Fills gaps a fresh or partial database may leave in /api/meta. */
export function normaliseMeta(m: RawMeta): Meta {
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

export interface CrimeType { code: string; title: string; parent: string | null; level: number }

export interface AreaProps extends Figures {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
  parent_name: string | null;
  population: number | null;
}

export type Outcome = 'compliance_without_sanction' | 'warning' | 'administrative_sanction' | 'criminal_report';

export interface AreaDetail {
  code: string;
  name: string;
  level: string;
  parent_code: string | null;
  parent_name: string | null;
  population: number | null;
  figures: Figures;
  monthly: { period: string; count: number | null; previous_year_count: number | null }[];
  by_type: { code: string; title: string; count: number | null; withheld?: number }[];
  enforcement_by_outcome: { outcome: string; count: number }[];
  cameras: { id: string; name: string; status: string; radius_m: number; lon: number; lat: number }[];
  initiatives: { id: string; name: string; kind: string; members: number | null; start_date: string | null; end_date: string | null }[];
  e33: { period: string; count: number | null; with_fitting_care?: number | null }[];
}

export interface CameraProps { id: string; name: string; status: string; radius_m: number; installed: string | null; buurt_code: string | null }
export interface EnforcementProps { id: string; date: string; domain: string; outcome: string; buurt_code: string | null }
export interface InitiativeProps { id: string; name: string; kind: string; start_date: string | null; end_date: string | null; members: number | null; buurt_code: string | null }
export interface IncidentProps { id: string; time: string; crime_type: string; buurt_code: string | null }

/** The period is the one the figures are for, as the API resolved the query's (or its default). */
export type Areas = FeatureCollection<Geometry, AreaProps> & { period?: { from: string; to: string } };

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

type Params = Record<string, string | number | boolean | undefined | null>;

export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `/api/${path}${qs ? `?${qs}` : ''}`;
}

async function get<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return send<T>('GET', apiUrl(path, params), undefined, signal);
}

async function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, body === undefined ? { method, signal } : { method, signal, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!res.ok) {
    let code = 'http_error';
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: string; message?: string };
      code = body.error ?? code;
      message = body.message ?? message;
    } catch { /* not JSON */ }
    throw new ApiError(res.status, code, message);
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface Query { from: string; to: string; types: string }
/** One string per query, for telling whether loaded data is still the data asked for. */
export const queryKey = (q: Query): string => `${q.from}|${q.to}|${q.types}`;

// ---------- hotspots and planning (issue #4) ----------
export type HotClass = 'hot_99' | 'hot_95' | 'hot_90' | 'none' | 'cold_90' | 'cold_95' | 'cold_99';
export interface HotspotProps { code: string; name: string; value: number | null; z: number | null; p: number | null; p_adjusted: number | null; p_sim: number | null; bin: number; class: HotClass }
export interface Hotspots extends FeatureCollection<Geometry, HotspotProps> {
  fdr: boolean;
  value: 'count' | 'rate';
  empirical_bayes: boolean;
  weights?: { kind: string; distance_m: number | null; tolerance_m?: number | null; islands: string[] };
}
export interface EmergingProps { code: string; name: string; category: string; trend_z: number | null; trend_p: number | null; bins: number[] }
export interface Emerging extends FeatureCollection<Geometry, EmergingProps> { steps: string[] }
export interface Kde {
  cell_m: number; bandwidth_m: number; default_bandwidth_m: number; unit: string; nx: number; ny: number; max: number; points: number;
  corners: [number, number][]; values: number[];
}
export interface Share { total: number; covered: number; share: number }
export interface Coverage {
  incidents: Share;
  hotspot_cells: Share;
  uncovered_hotspots: { code: string; name: string; z: number; bin: number }[];
  uncovered_cells: { lon: number; lat: number; density: number }[];
  cameras_active: number;
}
export interface CameraInput { id?: string; name: string; lon: number; lat: number; radius_m: number; status: string }
export interface WhatIf { before: Partial<Share> & { incidents?: Share }; after: Partial<Share> & { incidents?: Share }; gained: number; lost: number }
export interface Placement { chosen: { lon: number; lat: number; gain: number }[]; covered_before: number; covered_after: number; total: number; bound: string }
export interface Patrol {
  reference: string; half_life_days: number;
  ranking: { code: string; name: string; score: number; incidents: number }[];
  shifts: { shift: string; label: string; areas: { code: string; name: string; score: number }[] }[];
  profiles: Record<string, number[][]>;
}

// ---------- indicators and report (issue #5) ----------
export interface IndicatorValue { year: number; value: number | null; n?: number | null; margin?: number | null; within_margin?: boolean | null }
export interface Indicator {
  key: string; number: number; title: string; title_en?: string; definition: string; definition_en?: string; demo_targets?: boolean; unit: '%' | 'count' | string;
  direction: 'higher_is_better' | 'lower_is_better'; source: 'computed' | 'survey' | string;
  values: IndicatorValue[]; baseline: { year: number; value: number } | null; targets: { year: number; value: number }[];
  latest: { year: number; value: number } | null; status: 'on_track' | 'off_track' | 'no_target';
}
export type Breakdown = Record<string, unknown>;
export type Report = Record<string, unknown>;

export const api = {
  meta: () => get<RawMeta>('meta'),
  crimeTypes: () => get<CrimeType[]>('crime-types'),
  areas: (q: Query, level: 'buurt' | 'wijk', signal?: AbortSignal) => get<Areas>('areas', { ...q, level }, signal),
  area: (code: string, q: Query, signal?: AbortSignal) => get<AreaDetail>(`areas/${encodeURIComponent(code)}`, { ...q }, signal),
  cameras: () => get<FeatureCollection<Point, CameraProps>>('cameras'),
  enforcement: (q: Query, signal?: AbortSignal) => get<FeatureCollection<Point, EnforcementProps>>('enforcement', { from: q.from, to: q.to }, signal),
  initiatives: () => get<FeatureCollection<Geometry, InitiativeProps>>('initiatives'),
  incidents: (q: Query, signal?: AbortSignal) => get<FeatureCollection<Point, IncidentProps>>('incidents', { ...q }, signal),
  hotspots: (q: Query, o: { value: string; permutations: number; fdr: boolean }, signal?: AbortSignal) =>
    get<Hotspots>('hotspots', { ...q, level: 'buurt', value: o.value, permutations: o.permutations, fdr: o.fdr, seed: 1 }, signal),
  emerging: (q: Query, step: string, signal?: AbortSignal) => get<Emerging>('hotspots/emerging', { ...q, level: 'buurt', step }, signal),
  kde: (q: Query, o: { cell_m: number; bandwidth_m: number | null }, signal?: AbortSignal) => get<Kde>('kde', { ...q, cell_m: o.cell_m, bandwidth_m: o.bandwidth_m }, signal),
  coverage: (q: Query, signal?: AbortSignal) => get<Coverage>('coverage', { ...q }, signal),
  whatIf: (q: Query, cameras: CameraInput[], signal?: AbortSignal) => send<WhatIf>('POST', apiUrl('coverage/what-if', { ...q }), { cameras }, signal),
  placement: (q: Query, k: number, radius_m: number, signal?: AbortSignal) => send<Placement>('POST', apiUrl('planning/placement', { ...q }), { k, radius_m }, signal),
  createCamera: (c: CameraInput) => send<Feature<Point, CameraProps>>('POST', apiUrl('cameras'), c),
  updateCamera: (id: string, c: CameraInput) => send<Feature<Point, CameraProps>>('PUT', apiUrl(`cameras/${encodeURIComponent(id)}`), c),
  deleteCamera: (id: string) => send<unknown>('DELETE', apiUrl(`cameras/${encodeURIComponent(id)}`)),
  patrol: (q: Query, halfLife: number, top = 10, signal?: AbortSignal) => get<Patrol>('patrol', { ...q, half_life_days: halfLife, top }, signal),
  patrolCsvUrl: (q: Query, halfLife: number, top = 10) => apiUrl('patrol.csv', { ...q, half_life_days: halfLife, top }),
  indicators: (area: string | null, signal?: AbortSignal) => get<Indicator[]>('indicators', { area }, signal),
  setTarget: (key: string, year: number, value: number) => send<Indicator>('PUT', apiUrl(`indicators/${encodeURIComponent(key)}/target`), { year, value }),
  breakdown: (key: string, year: number | null, area: string | null, signal?: AbortSignal) => get<Breakdown>(`indicators/${encodeURIComponent(key)}/breakdown`, { year, area }, signal),
  report: (period: string, signal?: AbortSignal) => get<Report>('report', { period }, signal),
};
