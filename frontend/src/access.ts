// What the signed-in role may see and use, in one place. The server answers GET /api/session with
// the needs (`may`) of the role; every control that a role may not use is left out of the page
// (not disabled), and the state from the URL is brought within what the role may see. Pure
// functions: the views and controls ask `Access`, they never test a role name themselves.
import type { Need, Role, Session } from './api';
import { LAYERS, VIEW_LAYERS, VIEWS, type Layer, type State, type View } from './state';

export const ROLES: Role[] = ['beheerder', 'veiligheidsteam', 'wijkregisseur', 'stuurgroep'];

/** The layers drawn from single incidents, cameras, enforcement cases or initiatives (`points`). */
export const POINT_LAYERS: readonly Layer[] = ['heatmap', 'cameras', 'enforcement', 'initiatives'];

export interface Access {
  readonly session: Session;
  /** whether the role has this need */
  may(n: Need): boolean;
  /** the view tabs the role gets, in tab order */
  readonly views: View[];
  /** the map layers the role may switch on */
  readonly layers: Layer[];
  /** the wijken the role's scope is limited to, or null for the whole gemeente */
  readonly wijken: string[] | null;
  /** the controls, by what they need */
  readonly can: {
    /** the Planning view and its analyses (coverage, placement, patrol) */
    planning: boolean;
    /** the point layers and the point data behind them */
    points: boolean;
    /** adding, moving and deleting cameras (in the Planning view) */
    editCameras: boolean;
    editTargets: boolean;
    editBaselines: boolean;
    /** the steering report page and the printed one-page report */
    report: boolean;
  };
}

export function accessFor(session: Session): Access {
  const needs = new Set<Need>(session.may);
  const may = (n: Need): boolean => needs.has(n);
  const points = may('points');
  const planning = may('planning');
  return {
    session,
    may,
    views: VIEWS.filter((v) => (v === 'planning' ? planning : may('aggregates'))),
    layers: LAYERS.filter((l) => (POINT_LAYERS.includes(l) ? points : may('aggregates'))),
    // a wijkregisseur without wijken would see nothing: then no limit, and the server decides
    wijken: session.role === 'wijkregisseur' && session.wijken.length ? [...session.wijken] : null,
    can: {
      planning,
      points,
      editCameras: planning && may('change_cameras'),
      editTargets: may('change_targets'),
      editBaselines: may('change_baselines'),
      report: may('report'),
    },
  };
}

/** The view a role lands on when the URL names none it may see. */
export function landingView(a: Access): View {
  if (a.session.role === 'stuurgroep' && a.views.includes('stuurgroep')) return 'stuurgroep';
  return a.views.includes('wijk') ? 'wijk' : (a.views[0] ?? 'wijk');
}

/** A view's default layers, without those the role may not use. */
export function viewLayers(v: View, a: Access): Set<Layer> {
  return new Set(VIEW_LAYERS[v].filter((l) => a.layers.includes(l)));
}

/** The wijk in scope as the role may have it: a wijkregisseur stays within their wijken. */
export function allowedWijk(wijk: string | null, a: Access): string | null {
  if (!a.wijken) return wijk;
  return wijk && a.wijken.includes(wijk) ? wijk : (a.wijken[0] as string);
}

/**
 * Brings the state parsed from the URL within what the role may see: an explicit view in the URL
 * wins if the role may see it, else the role's landing view (with its default layers); layers the
 * role may not use are dropped; a wijkregisseur's scope is one of their wijken.
 * `search` is the URL's query, to tell an explicit view and layer list from the defaults.
 */
export function applyAccess(s: State, a: Access, search: string): void {
  const q = new URLSearchParams(search);
  const explicitView = q.has('view') && s.view === q.get('view') && a.views.includes(s.view);
  if (!explicitView) {
    const v = landingView(a);
    // the layers the URL named belong to the view it named; a new view brings its own
    if (v !== s.view || !q.has('layers')) s.layers = viewLayers(v, a);
    s.view = v;
  }
  s.layers = new Set([...s.layers].filter((l) => a.layers.includes(l)));
  s.wijk = allowedWijk(s.wijk, a);
}

/** The role's name for people (the API's role names are Dutch; the dictionary has them in both languages). */
export const roleKey = (r: Role): `role_${Role}` => `role_${r}`;

/**
 * The URL's query without what belongs to one role's view (view, layers, wijk, buurt, map, the
 * planning settings): what is kept when the role changes (the demo's role switch, signing in or
 * out), so that the new role lands on its own view with the same gemeente and boundary year,
 * period, crime types and language.
 */
export function roleNeutralSearch(search: string): string {
  const q = new URLSearchParams(search);
  const out = new URLSearchParams();
  for (const k of ['gemeente', 'indeling', 'from', 'to', 'types', 'metric', 'lang']) {
    const v = q.get(k);
    if (v !== null) out.set(k, v);
  }
  const s = out.toString().replaceAll('%2C', ',');
  return s ? `?${s}` : '';
}
