// The scope of the dashboard (issue #11): which gemeente (or all gemeenten of the boundary year)
// and which CBS boundary year (buurtindeling) it shows, and the figures that were carried from
// another boundary year ("geschat"). The scope lives in the URL (`gemeente=`, `indeling=`, see
// state.ts) and goes with every API request; meta says what there is to choose from. Pure
// functions, so the rules are unit-tested apart from the page.
import type { Figures, Meta } from './api';
import { t, type Key } from './i18n';
import { stateToSearch, type State } from './state';

/** The scope's name for people: the gemeente's name from meta, or "Alle gemeenten". */
export const gemeenteName = (meta: Pick<Meta, 'gemeente' | 'all_gemeenten'>): string => (meta.all_gemeenten ? t('all_gemeenten') : meta.gemeente.name);

/** The header's and the report's title: "Gemeente Almelo", or "Alle gemeenten". */
export const scopeTitle = (meta: Pick<Meta, 'gemeente' | 'all_gemeenten'>): string => (meta.all_gemeenten ? t('all_gemeenten') : `${t('app_sub')} ${meta.gemeente.name}`);

/** The value for the URL's `gemeente=` of the scope meta describes: a code, or `alle`. */
export const shownGemeente = (meta: Pick<Meta, 'gemeente' | 'all_gemeenten'>): string => (meta.all_gemeenten ? 'alle' : meta.gemeente.code);

/** A boundary year as the chooser names it; 0 is a set whose year is not known. */
export const indelingLabel = (year: number): string => (year === 0 ? t('indeling_unknown') : t('indeling_year', { y: year }));

/** Whether there is a gemeente to choose (more than one in the boundary year). */
export const chooseGemeente = (meta: Pick<Meta, 'gemeenten'>): boolean => meta.gemeenten.length > 1;
/** Whether there is a boundary year to choose (more than one imported). */
export const chooseIndeling = (meta: Pick<Meta, 'boundary_years'>): boolean => meta.boundary_years.length > 1;

const norm = (s: string): string => s.trim().toLocaleLowerCase('nl').normalize('NFD').replace(/\p{M}/gu, '');

/**
 * What the gemeente box's text names: `alle` for "Alle gemeenten", else a gemeente's code, by
 * code, by name, by "name (code)", or by the one name that starts with (or else contains) the
 * text; null when it names none, or more than one.
 */
export function matchGemeente(options: Meta['gemeenten'], text: string): string | null {
  const q = norm(text);
  if (!q) return null;
  if (q === norm(t('all_gemeenten')) || q === 'alle') return 'alle';
  const exact = options.find((g) => norm(g.code) === q || norm(g.name) === q || norm(`${g.name} (${g.code})`) === q);
  if (exact) return exact.code;
  for (const test of [(n: string) => n.startsWith(q), (n: string) => n.includes(q)]) {
    const hits = options.filter((g) => test(norm(g.name)));
    if (hits.length === 1) return (hits[0] as Meta['gemeenten'][number]).code;
    if (hits.length > 1) return null;
  }
  return null;
}

/**
 * The URL of the dashboard for another scope: the same view, period, crime types, map value,
 * layers and language, without what belongs to the old scope (the wijk, the buurt, the map's
 * position: the map fits the new gemeente).
 */
export function scopeSearch(s: State, scope: { gemeente?: string | null; indeling?: number | null }): string {
  const next: State = { ...s, wijk: null, buurt: null, camera: null };
  if (scope.gemeente !== undefined) next.gemeente = scope.gemeente;
  if (scope.indeling !== undefined) next.indeling = scope.indeling;
  return stateToSearch(next);
}

// ---------- figures carried from another boundary year ("geschat") ----------
export type Estimate = NonNullable<Figures['estimated']>;
const METHODS: Estimate[] = ['one_to_one', 'area', 'nearest'];

/** "geschat (oppervlakte)": a carried figure, with its method in a word or two. */
export const estimatedShort = (m: Estimate): string => t('est_short', { m: t(`est_m_${m}` as Key) });
/** The sentence: where the figure comes from, and how it was carried. */
export const estimatedLong = (m: Estimate): string => t('est_long', { how: t(`est_how_${m}` as Key) });

/** The methods by which the figures shown were carried, in a fixed order (none: nothing is estimated). */
export function estimateMethods(figures: { estimated?: Figures['estimated'] }[]): Estimate[] {
  const seen = new Set(figures.map((f) => f.estimated).filter((m): m is Estimate => !!m));
  return METHODS.filter((m) => seen.has(m));
}

/** The legend's line for the estimated buurten: where their figures come from, and how they were carried. */
export const estimatedLegend = (methods: Estimate[]): string => t('est_legend', { how: methods.map((m) => t(`est_how_${m}` as Key)).join('; ') });


// ---------- a link to a scope the data lacks ----------
/** What a link's scope named that the data lacks (meta answered 404 for it; main.ts shows the default). */
export interface MissingScope { gemeente: string | null; indeling: number | null }

/** The sentence on the map for a scope the link named and the data lacks, and what is shown instead. */
export function missingScopeNote(missing: MissingScope, meta: Pick<Meta, 'gemeente' | 'all_gemeenten' | 'boundary_year' | 'boundary_years'>): string {
  const what = [
    missing.gemeente ? t('scope_what_gemeente', { g: missing.gemeente }) : null,
    missing.indeling != null ? t('scope_what_indeling', { y: missing.indeling }) : null,
  ].filter(Boolean).join(' + ');
  const shown = [gemeenteName(meta), meta.boundary_year != null && chooseIndeling(meta) ? indelingLabel(meta.boundary_year) : null].filter(Boolean).join(', ');
  return t('scope_missing', { what, shown });
}
