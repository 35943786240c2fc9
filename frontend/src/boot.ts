// The dashboard's first requests. index.html runs this (inlined by build.mjs) before it even
// requests the app bundle, so who is signed in, meta, the layers and the figures for the URL's
// query load while the browser fetches and compiles the 1.2 MB bundle (mostly MapLibre). The app
// takes the answers from `window.wvBoot`, or starts the same requests itself when the page lacks it.
//
// Every role may read the aggregates (meta, crime types, areas); the point data (cameras,
// initiatives, enforcement) only roles with `points`, so those wait for the session's answer and
// are not asked for otherwise. A browser that was signed in the last time (a hint in
// localStorage) asks for the aggregates at once, beside the session; one that was not asks only
// once the session is there, so a signed-out visitor sends nothing that would answer 401.
import { api, type Cameras, type CrimeType, type EnforcementPoints, type FigureSet, type Initiatives, queryKey, type Query, type RawMeta, scopeKey, scopeOf, type Session, type TileSet } from './api';
import { parseState } from './state';

export interface FirstFigures {
  /**
   * The query these figures are for (`queryKey`), or null when the URL names no period: then
   * they were asked for the API's default period, which is meta's `default_range`, and the
   * period the areas answer names says which it was.
   */
  key: string | null;
  types: string;
  /** the gemeente and boundary year they are for (`scopeKey`) */
  scope: string;
  buurten: Promise<FigureSet>;
  wijken: Promise<FigureSet>;
  enforcement: Promise<EnforcementPoints>;
}

export interface Boot {
  /** who is signed in; rejects with an ApiError 401 when nobody is */
  session: Promise<Session>;
  meta: Promise<RawMeta>;
  /** the vector tiles of the URL's boundary year (the map's areas) */
  tiles: Promise<TileSet>;
  crimeTypes: Promise<CrimeType[]>;
  cameras: Promise<Cameras>;
  initiatives: Promise<Initiatives>;
  /** null on the steering report page (`#/rapport`), which needs none of them */
  figures: FirstFigures | null;
}

declare global {
  interface Window { wvBoot?: Boot }
}

/** A promise whose rejection is not reported as unhandled when nobody ends up using it. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

const HINT = 'wv.signed-in';
/** Remembers whether this browser was signed in, for the next page load (see above). */
export function rememberSignedIn(on: boolean): void {
  try {
    if (on) localStorage.setItem(HINT, '1'); else localStorage.removeItem(HINT);
  } catch { /* storage off: every load then waits for the session */ }
}
function wasSignedIn(): boolean {
  try { return localStorage.getItem(HINT) === '1'; } catch { return false; }
}

/** An empty collection, for the point data of a role that may not see points. */
const none = <T>(): T => ({ type: 'FeatureCollection', features: [] }) as T;

/** A request the page will not need (the sign-in route needs none): never made. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export function startBoot(): Boot {
  const session = quiet(api.session());
  session.then(() => rememberSignedIn(true), () => rememberSignedIn(false));
  const hinted = wasSignedIn();
  const signInRoute = location.hash.startsWith('#/inloggen');
  /** an aggregate: at once when this browser was signed in, else once the session is known */
  const aggregate = <T>(f: () => Promise<T>): Promise<T> => (signInRoute ? never<T>() : quiet(hinted ? f() : session.then(f)));
  /** point data: only for a role that may see points */
  const points = <T>(f: () => Promise<T>): Promise<T> => (signInRoute ? never<T>() : quiet(session.then((s) => (s.may.includes('points') ? f() : none<T>()))));
  // the areas first: they take the server longest
  let figures: FirstFigures | null = null;
  // The app's state as it will parse it from the URL; without a period in the URL, the
  // defaults (from meta) are not known yet, and the API's own default is asked for.
  const s = parseState(location.search, { from: '', to: '' });
  // the gemeente and boundary year the URL names (issue #11), on every request
  const scope = scopeOf(s);
  if (!location.hash.startsWith('#/rapport') && !signInRoute) {
    const types = s.types.join(',');
    const q: Query = { from: s.from, to: s.to, types, ...scope };
    const named = q.from !== '' && q.to !== '';
    figures = {
      key: named ? queryKey(q) : null,
      types,
      scope: scopeKey(scope),
      buurten: aggregate(() => api.figures(q, 'buurt')),
      wijken: aggregate(() => api.figures(q, 'wijk')),
      enforcement: points(() => api.enforcement(q)),
    };
  }
  return {
    session,
    figures,
    meta: aggregate(() => api.meta(scope)),
    tiles: signInRoute || location.hash.startsWith('#/rapport') ? never<TileSet>() : aggregate(() => api.tiles(scope)),
    crimeTypes: aggregate(() => api.crimeTypes()),
    cameras: points(() => api.cameras()),
    initiatives: points(() => api.initiatives()),
  };
}
