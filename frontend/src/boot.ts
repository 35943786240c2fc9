// The dashboard's first requests. index.html runs this (inlined by build.mjs) before it even
// requests the app bundle, so meta, the layers and the figures for the URL's query load while
// the browser fetches and compiles the 1.2 MB bundle (mostly MapLibre). The app takes the
// answers from `window.wvBoot`, or starts the same requests itself when the page lacks it.
import { api, type Areas, type Cameras, type CrimeType, type EnforcementPoints, type Initiatives, queryKey, type Query, type RawMeta } from './api';
import { parseState } from './state';

export interface FirstFigures {
  /**
   * The query these figures are for (`queryKey`), or null when the URL names no period: then
   * they were asked for the API's default period, which is meta's `default_range`, and the
   * period the areas answer names says which it was.
   */
  key: string | null;
  types: string;
  buurten: Promise<Areas>;
  wijken: Promise<Areas>;
  enforcement: Promise<EnforcementPoints>;
}

export interface Boot {
  meta: Promise<RawMeta>;
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

function firstFigures(): FirstFigures {
  // The app's state as it will parse it from the URL; without a period in the URL, the
  // defaults (from meta) are not known yet, and the API's own default is asked for.
  const s = parseState(location.search, { from: '', to: '' });
  const types = s.types.join(',');
  const q: Query = { from: s.from, to: s.to, types };
  const named = q.from !== '' && q.to !== '';
  return {
    key: named ? queryKey(q) : null,
    types,
    buurten: quiet(api.areas(q, 'buurt')),
    wijken: quiet(api.areas(q, 'wijk')),
    enforcement: quiet(api.enforcement(q)),
  };
}

export function startBoot(): Boot {
  // the areas first: they take the server longest
  const figures = location.hash.startsWith('#/rapport') ? null : firstFigures();
  return {
    figures,
    meta: quiet(api.meta()),
    crimeTypes: quiet(api.crimeTypes()),
    cameras: quiet(api.cameras()),
    initiatives: quiet(api.initiatives()),
  };
}
