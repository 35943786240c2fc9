// Typed access to the wijkveilig HTTP API (docs/api.md). Same origin, under /api/.
// The API's shapes are not written here: they are generated from the server's OpenAPI document
// (openapi.json -> src/api.gen.ts, see gen-api.mjs), and this file only names the schemas the
// frontend uses. When the document changes, the type check (part of `npm run build`) fails
// wherever the frontend no longer matches it.
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson';
import type { components, paths } from './api.gen';

type Schemas = components['schemas'];

// ---------- shapes of the API (one definition each: the OpenAPI document's) ----------
export type Figures = Schemas['Figures'];
/** /api/meta as sent: an empty database has no gemeente, bbox or periods yet (see normaliseMeta). */
export type RawMeta = Schemas['Meta'];
export type CrimeType = Schemas['CrimeTypeNode'];
export type AreaLevel = Schemas['AreaLevel'];
export type AreaProps = Schemas['Feature_AreaProps']['properties'];
export type AreaDetail = Schemas['AreaDetail'];
export type CameraProps = Schemas['CameraProps'];
export type EnforcementProps = Schemas['EnforcementProps'];
export type InitiativeProps = Schemas['InitiativeProps'];
export type IncidentProps = Schemas['IncidentProps'];
export type HotspotProps = Schemas['Feature_HotspotProps']['properties'];
export type EmergingProps = Schemas['Feature_EmergingProps']['properties'];
export type Kde = Schemas['KdeSurface'];
export type Share = Schemas['Share'];
export type Coverage = Schemas['CoverageReport'];
export type CameraInput = Schemas['CameraInput'];
export type WhatIf = Schemas['WhatIf'];
export type Placement = Schemas['Placement'];
export type Patrol = Schemas['Patrol'];
export type Indicator = Schemas['IndicatorView'];
export type YearValue = Schemas['YearValue'];
export type Breakdown = Schemas['Breakdown'];
export type BreakdownPart = Schemas['BreakdownPart'];
export type ReportData = Schemas['ReportData'];
export type ErrorBody = Schemas['ErrorBody'];
export type Session = Schemas['SessionInfo'];
export type ScopeSummary = Schemas['ScopeSummary'];
export type Need = Schemas['Need'];
export type Role = Schemas['Role'];
export type OidcInfo = Schemas['OidcInfo'];

/**
 * A GeoJSON FeatureCollection as the API sends it: the schema's feature properties and its
 * members beside `features` (e.g. the areas' `period`), with the geometry typed by `geojson`,
 * since the document types a geometry only as an object.
 */
type Collection<C extends { features: { properties: object }[] }, G extends Geometry = Geometry> =
  FeatureCollection<G, C['features'][number]['properties']> & Omit<C, 'type' | 'features'>;
export type Areas = Collection<Schemas['AreaCollection']>;
export type Hotspots = Collection<Schemas['HotspotCollection']>;
export type Emerging = Collection<Schemas['EmergingCollection']>;
export type Cameras = Collection<Schemas['FeatureCollection_CameraProps'], Point>;
export type EnforcementPoints = Collection<Schemas['FeatureCollection_EnforcementProps'], Point>;
export type Initiatives = Collection<Schemas['FeatureCollection_InitiativeProps']>;
export type Incidents = Collection<Schemas['FeatureCollection_IncidentProps'], Point>;
export type CameraFeature = Feature<Point, Schemas['Feature_CameraProps']['properties']>;

/**
 * The vector tiles of a boundary year (`/api/tiles`, issue #12): geometry and codes of every
 * gemeente, wijk and buurt, the same for every user, by level; each `tiles` URL (relative to the
 * origin) is ready for a MapLibre vector source. Each tile has two layers: `areas` (polygons) and
 * `labels` (a point per area with `code`, `name` and `rank`, lower is more important), both with
 * the area's integer tile id (the digits of its CBS code) as feature id.
 */
export type TileSet = Schemas['TileSetInfo'];
/** An area's figures as `/api/figures` lists them: the properties of `/api/areas`, flattened, with the area's tile id. */
export type FigureArea = Schemas['AreaFigure'];
/** `/api/figures`: `/api/areas` without geometry, each area with its tile id (joined into the map's feature-state). */
export type FigureSet = Schemas['AreaFigures'];

// ---------- client-side types (not shapes of the API) ----------
/** meta with the gaps of a fresh or partial database filled (normaliseMeta). */
export interface Meta extends Omit<RawMeta, 'gemeente' | 'bbox' | 'periods' | 'wijken' | 'basemap_style_url' | 'demo_notice' | 'boundary_year'> {
  gemeente: { code: string; name: string };
  bbox: BBox;
  periods: { first: string; last: string; monthly: boolean };
  wijken: { code: string; name: string; bbox: BBox }[];
  basemap_style_url: string | null;
  demo_notice: string | null;
  boundary_year: number | null;
}
export type BBox = [number, number, number, number];

const bboxOf = (b: number[]): BBox => [b[0] ?? 0, b[1] ?? 0, b[2] ?? 0, b[3] ?? 0];

/** Fills gaps a fresh or partial database may leave in /api/meta. */
export function normaliseMeta(m: RawMeta): Meta {
  const wijken = m.wijken.map((w) => ({ ...w, bbox: bboxOf(w.bbox) }));
  const wb = wijken.map((w) => w.bbox);
  const bbox: BBox = m.bbox ? bboxOf(m.bbox) : wb.length
    ? [Math.min(...wb.map((b) => b[0])), Math.min(...wb.map((b) => b[1])), Math.max(...wb.map((b) => b[2])), Math.max(...wb.map((b) => b[3]))]
    : [3.3, 50.7, 7.3, 53.6];
  return {
    ...m,
    // every gemeente of the boundary year (`gemeente=alle`) has no code or name: see gemeenteName
    gemeente: { code: m.gemeente?.code ?? '', name: m.gemeente?.name ?? (m.all_gemeenten ? '' : '–') },
    bbox,
    wijken,
    periods: { monthly: m.periods.monthly, first: m.periods.first ?? m.default_range.from, last: m.periods.last ?? m.default_range.to },
    basemap_style_url: m.basemap_style_url ?? null,
    demo_notice: m.demo_notice ?? null,
    boundary_year: m.boundary_year ?? null,
  };
}

/** A failed request: the HTTP status and the API's ErrorBody (`error` code, `message`, `request_id`). */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public requestId: string | null = null) { super(message); }
}

/**
 * The HTTP status of a failed API request, or null for any other error. By the error's shape, not
 * its class: the first requests run in index.html's inlined boot script, which has its own copy
 * of this module (and of ApiError).
 */
export function apiStatus(err: unknown): number | null {
  if (err instanceof ApiError) return err.status;
  const e = err as { name?: unknown; status?: unknown; code?: unknown } | null;
  return err instanceof Error && typeof e?.status === 'number' && typeof e.code === 'string' ? e.status : null;
}

/**
 * What the app does when an API request answers 401 (the session has ended): show the sign-in
 * page. Not called for signing in itself (a wrong password is a 401 too) nor for asking who is
 * signed in (boot decides that).
 */
let unauthorized: ((err: ApiError) => void) | null = null;
export function onUnauthorized(handler: ((err: ApiError) => void) | null): void { unauthorized = handler; }

type Params = Record<string, string | number | boolean | undefined | null>;
type Method = 'get' | 'post' | 'put' | 'delete';
/** The query parameters the document gives an operation (so a renamed or retyped one fails the type check). */
type QueryOf<P extends keyof paths, M extends Method = 'get'> = NonNullable<NonNullable<paths[P][M]> extends { parameters: { query?: infer Q } } ? Q : never>;
/** The JSON request body the document gives an operation. */
type BodyOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;

export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `/api/${path}${qs ? `?${qs}` : ''}`;
}

async function get<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return send<T>('GET', apiUrl(path, params), undefined, signal);
}

/** How often a read the server answered "busy, try again" (503 with Retry-After) is retried. */
const BUSY_RETRIES = 2;

async function send<T>(method: string, url: string, body?: unknown, signal?: AbortSignal, session = false): Promise<T> {
  let res = await fetch(url, body === undefined ? { method, signal } : { method, signal, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  // A read the server could not take on just now (heavy work queued, an import running) is
  // asked again after the pause it names; a change is not, so the user sees its error.
  for (let attempt = 0; method === 'GET' && res.status === 503 && res.headers.has('retry-after') && attempt < BUSY_RETRIES; attempt++) {
    const pause = Math.min(10, Number(res.headers.get('retry-after')) || 2);
    await new Promise((resolve) => setTimeout(resolve, pause * 1000));
    if (signal?.aborted) break;
    res = await fetch(url, { method, signal });
  }
  if (!res.ok) {
    let body: Partial<ErrorBody> = {};
    try {
      body = (await res.json()) as ErrorBody;
    } catch { /* not JSON: not from the API's handlers (a proxy, a crash) */ }
    const err = new ApiError(res.status, body.error ?? 'http_error', body.message ?? `${res.status} ${res.statusText}`, body.request_id ?? null);
    if (res.status === 401 && !session) unauthorized?.(err);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * The scope every data request names (issue #11): a gemeente (`GM0141`, or `alle`) and a CBS
 * boundary year; left out, the API takes its default (see State).
 */
export interface Scope { gemeente?: string | undefined; indeling?: number | undefined }
/** The scope of a state, as the API's query parameters (a default left out). */
export const scopeOf = (s: { gemeente: string | null; indeling: number | null }): Scope => ({ gemeente: s.gemeente ?? undefined, indeling: s.indeling ?? undefined });

export interface Query extends Scope { from: string; to: string; types: string }
/** One string per query, for telling whether loaded data is still the data asked for. */
export const scopeKey = (q: Scope): string => `${q.gemeente ?? ''}|${q.indeling ?? ''}`;
export const queryKey = (q: Query): string => `${q.from}|${q.to}|${q.types}|${scopeKey(q)}`;

export const api = {
  /** who is signed in (401: nobody; the demo answers with its visitor) */
  session: () => send<Session>('GET', apiUrl('session'), undefined, undefined, true),
  signIn: (username: string, password: string) =>
    send<void>('POST', apiUrl('session'), { username, password } satisfies BodyOf<'/api/session', 'post'>, undefined, true),
  signOut: () => send<void>('DELETE', apiUrl('session'), undefined, undefined, true),
  /** Whether single sign-on is configured, and where it starts. */
  oidc: () => send<OidcInfo>('GET', apiUrl('session/oidc'), undefined, undefined, true),
  /** the built-in demo only: look at the dashboard as another role */
  demoRole: (role: Role) => send<void>('PUT', apiUrl('session/demo-role'), { role } satisfies BodyOf<'/api/session/demo-role', 'put'>, undefined, true),
  meta: (scope: Scope = {}) => get<RawMeta>('meta', { ...scope } satisfies QueryOf<'/api/meta'>),
  crimeTypes: () => get<CrimeType[]>('crime-types'),
  areas: (q: Query, level: 'buurt' | 'wijk', signal?: AbortSignal) =>
    get<Areas>('areas', { ...q, level } satisfies QueryOf<'/api/areas'>, signal),
  /** the figures of `/api/areas` without geometry, by tile id (the map draws the geometry from the tiles) */
  figures: (q: Query, level: 'buurt' | 'wijk', signal?: AbortSignal) =>
    get<FigureSet>('figures', { ...q, level } satisfies QueryOf<'/api/figures'>, signal),
  /** the vector tiles of the scope's boundary year */
  tiles: (scope: Scope = {}, signal?: AbortSignal) => get<TileSet>('tiles', { indeling: scope.indeling } satisfies QueryOf<'/api/tiles'>, signal),
  area: (code: string, q: Query, signal?: AbortSignal) =>
    get<AreaDetail>(`areas/${encodeURIComponent(code)}`, { ...q } satisfies QueryOf<'/api/areas/{code}'>, signal),
  cameras: () => get<Cameras>('cameras'),
  enforcement: (q: Query, signal?: AbortSignal) =>
    get<EnforcementPoints>('enforcement', { from: q.from, to: q.to, gemeente: q.gemeente, indeling: q.indeling } satisfies QueryOf<'/api/enforcement'>, signal),
  initiatives: () => get<Initiatives>('initiatives'),
  incidents: (q: Query, signal?: AbortSignal) => get<Incidents>('incidents', { ...q } satisfies QueryOf<'/api/incidents'>, signal),
  hotspots: (q: Query, o: { value: Schemas['HotspotValue']; permutations: number; fdr: boolean }, signal?: AbortSignal) =>
    get<Hotspots>('hotspots', { ...q, level: 'buurt', value: o.value, permutations: o.permutations, fdr: o.fdr, seed: 1, geometry: false } satisfies QueryOf<'/api/hotspots'>, signal),
  emerging: (q: Query, step: Schemas['Step'], signal?: AbortSignal) =>
    get<Emerging>('hotspots/emerging', { ...q, level: 'buurt', step, geometry: false } satisfies QueryOf<'/api/hotspots/emerging'>, signal),
  kde: (q: Query, o: { cell_m: number | null; bandwidth_m: number | null }, signal?: AbortSignal) =>
    get<Kde>('kde', { ...q, cell_m: o.cell_m ?? undefined, bandwidth_m: o.bandwidth_m ?? undefined } satisfies QueryOf<'/api/kde'>, signal),
  coverage: (q: Query, signal?: AbortSignal) => get<Coverage>('coverage', { ...q } satisfies QueryOf<'/api/coverage'>, signal),
  whatIf: (q: Query, cameras: CameraInput[], signal?: AbortSignal) =>
    send<WhatIf>('POST', apiUrl('coverage/what-if', { ...q } satisfies QueryOf<'/api/coverage/what-if', 'post'>), { cameras } satisfies BodyOf<'/api/coverage/what-if', 'post'>, signal),
  placement: (q: Query, k: number, radius_m: number, signal?: AbortSignal) =>
    send<Placement>('POST', apiUrl('planning/placement', { ...q } satisfies QueryOf<'/api/planning/placement', 'post'>), { k, radius_m } satisfies BodyOf<'/api/planning/placement', 'post'>, signal),
  createCamera: (c: BodyOf<'/api/cameras', 'post'>) => send<CameraFeature>('POST', apiUrl('cameras'), c),
  updateCamera: (id: string, c: BodyOf<'/api/cameras/{id}', 'put'>) => send<CameraFeature>('PUT', apiUrl(`cameras/${encodeURIComponent(id)}`), c),
  deleteCamera: (id: string) => send<void>('DELETE', apiUrl(`cameras/${encodeURIComponent(id)}`)),
  patrol: (q: Query, halfLife: number, top = 10, signal?: AbortSignal) =>
    get<Patrol>('patrol', { ...q, half_life_days: halfLife, top } satisfies QueryOf<'/api/patrol'>, signal),
  patrolCsvUrl: (q: Query, halfLife: number, top = 10) => apiUrl('patrol.csv', { ...q, half_life_days: halfLife, top } satisfies QueryOf<'/api/patrol.csv'>),
  indicators: (area: string | null, signal?: AbortSignal) =>
    get<Indicator[]>('indicators', { area: area ?? undefined } satisfies QueryOf<'/api/indicators'>, signal),
  /** a target (or baseline) of the gemeente `area` (null: the API's default gemeente) */
  setTarget: (key: string, year: number, value: number, area: string | null) =>
    send<Indicator>('PUT', apiUrl(`indicators/${encodeURIComponent(key)}/target`, { area: area ?? undefined } satisfies QueryOf<'/api/indicators/{key}/target', 'put'>), { year, value } satisfies BodyOf<'/api/indicators/{key}/target', 'put'>),
  setBaseline: (key: string, year: number, value: number, area: string | null) =>
    send<Indicator>('PUT', apiUrl(`indicators/${encodeURIComponent(key)}/baseline`, { area: area ?? undefined } satisfies QueryOf<'/api/indicators/{key}/baseline', 'put'>), { year, value } satisfies BodyOf<'/api/indicators/{key}/baseline', 'put'>),
  breakdown: (key: string, year: number | null, area: string | null, signal?: AbortSignal) =>
    get<Breakdown>(`indicators/${encodeURIComponent(key)}/breakdown`, { year: year ?? undefined, area: area ?? undefined } satisfies QueryOf<'/api/indicators/{key}/breakdown'>, signal),
  report: (period: string, scope: Scope, signal?: AbortSignal) => get<ReportData>('report', { period, ...scope } satisfies QueryOf<'/api/report'>, signal),
};
