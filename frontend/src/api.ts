// Typed access to the wijkveilig HTTP API (docs/api.md). Same origin, under /api/.
import type { FeatureCollection, Geometry, Point } from 'geojson';

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

export type Areas = FeatureCollection<Geometry, AreaProps>;

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

async function get<T>(path: string, params: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  const res = await fetch(`/api/${path}${qs ? `?${qs}` : ''}`, { signal });
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
  return (await res.json()) as T;
}

export interface Query { from: string; to: string; types: string }

export const api = {
  meta: () => get<RawMeta>('meta'),
  crimeTypes: () => get<CrimeType[]>('crime-types'),
  areas: (q: Query, level: 'buurt' | 'wijk', signal?: AbortSignal) => get<Areas>('areas', { ...q, level }, signal),
  area: (code: string, q: Query, signal?: AbortSignal) => get<AreaDetail>(`areas/${encodeURIComponent(code)}`, { ...q }, signal),
  cameras: () => get<FeatureCollection<Point, CameraProps>>('cameras'),
  enforcement: (q: Query, signal?: AbortSignal) => get<FeatureCollection<Point, EnforcementProps>>('enforcement', { from: q.from, to: q.to }, signal),
  initiatives: () => get<FeatureCollection<Geometry, InitiativeProps>>('initiatives'),
  incidents: (q: Query, signal?: AbortSignal) => get<FeatureCollection<Point, IncidentProps>>('incidents', { ...q }, signal),
};
