// The figures the views show, derived from the loaded areas and the view state: a metric's value
// and text, the buurten in scope and their ranking, the headline sums, the choropleth's classes
// and each buurt's colour in them, and the legend's class labels. Pure functions, in one place,
// so that the map, the legend, the tables and the print all say the same.
import type { AreaProps, CrimeType, Figures, ScopeSummary } from './api';
import { classOf, divergingClasses, quantileClasses, SUPPRESSED_COLOUR, WITHHELD_COLOUR, type Classes } from './classify';
import { byName, fmt, t } from './i18n';
import type { BuurtStyle } from './map';
import type { Metric } from './state';

/** A buurt with figures but no value for the metric (a change without a previous count, a rate without inhabitants). */
export const NO_VALUE_COLOUR = '#f4f4f4';

/** The API's `status` of a figure: a value, withheld at the source (CBS), or no data at all. */
export type DataStatus = 'value' | 'withheld' | 'no_data';

/**
 * What a count is for the viewer: a number, hidden for this viewer (`suppressed`: 1 to 4, or
 * hidden so that such a count cannot be worked out by subtraction; shown as "< 5"), no data at
 * all (`status` no_data: no row for that area and period), or withheld at the source (CBS; any
 * other `null`). Missing is never 0.
 */
export type CountKind = 'value' | 'small' | 'withheld' | 'no_data';
export function countKind(count: number | null | undefined, suppressed?: boolean | null, status?: DataStatus | null): CountKind {
  if (count != null) return 'value';
  if (suppressed) return 'small';
  return status === 'no_data' ? 'no_data' : 'withheld';
}

/** A count as text: the number, "< 5" when hidden for this viewer, "no data", or the withheld text. */
export function countText(count: number | null | undefined, suppressed?: boolean | null, status?: DataStatus | null): string {
  const k = countKind(count, suppressed, status);
  return k === 'value' ? fmt.int(count) : k === 'small' ? t('small_count') : k === 'no_data' ? t('no_data') : t('withheld');
}

/** The CSS class of a table cell or bar holding such a count ('' for a number). */
export const countClass = (k: CountKind): string => (k === 'small' ? 'small-count' : k === 'withheld' ? 'withheld' : k === 'no_data' ? 'no-data' : '');

/** An area's own count, as countKind sees it (its `status` when the API sends one). */
export const areaCountKind = (p: Pick<AreaProps, 'count' | 'suppressed'> & { status?: DataStatus }): CountKind => countKind(p.count, p.suppressed, p.status);

/** The class index of a buurt that has figures but no value for the metric, one withheld, and one with a count hidden for this viewer. */
export const CLS_NO_VALUE = -2;
export const CLS_WITHHELD = -1;
export const CLS_SMALL = -3;

/**
 * Whether the metric's value of an area is hidden for this viewer: its count ("< 5"), or for a
 * change, the previous count (the change cannot be shown without it).
 */
export function metricSuppressed(p: AreaProps, m: Metric): boolean {
  if (p.count == null) return !!p.suppressed;
  return m === 'change' && p.change_pct == null && !!p.previous_suppressed;
}

/** A metric's value as text, "< 5", no data or withheld instead of a missing value where that is why. */
export function metricCell(p: AreaProps, m: Metric): string {
  if (metricSuppressed(p, m)) return t('small_count');
  if (p.count == null) return countText(null, false, p.status);
  return metricText(metricValue(p, m), m);
}

export function metricValue(p: AreaProps, m: Metric): number | null {
  return (m === 'count' ? p.count : m === 'rate' ? p.rate_per_1000 : p.change_pct) ?? null;
}

export const metricText = (v: number | null, m: Metric): string => (m === 'count' ? fmt.int(v) : m === 'rate' ? fmt.dec(v) : fmt.pct(v));

export const inScope = (p: AreaProps, wijk: string | null): boolean => !wijk || p.parent_code === wijk;

/** Most incidents first; withheld last; ties by name. */
export const byRank = (a: AreaProps, b: AreaProps): number => (b.count ?? -1) - (a.count ?? -1) || byName(a.name, b.name);

/** The class breaks of a metric over all buurten (the gemeente, also when a wijk is in scope). */
export function classesFor(buurten: AreaProps[], m: Metric): Classes {
  const values = buurten.map((p) => metricValue(p, m)).filter((v): v is number => v !== null);
  return m === 'change' ? divergingClasses(values) : quantileClasses(values);
}

/** A buurt's colour and class in the choropleth, and whether it lies in the wijk in scope. */
export function buurtStyle(p: AreaProps, m: Metric, c: Classes, wijk: string | null): BuurtStyle {
  const v = metricValue(p, m);
  const cls = metricSuppressed(p, m) ? CLS_SMALL : p.count == null ? (p.status === 'no_data' ? CLS_NO_VALUE : CLS_WITHHELD) : v === null ? CLS_NO_VALUE : classOf(v, c);
  const colour = cls >= 0 ? (c.colours[cls] ?? WITHHELD_COLOUR) : cls === CLS_NO_VALUE ? NO_VALUE_COLOUR : cls === CLS_SMALL ? SUPPRESSED_COLOUR : WITHHELD_COLOUR;
  return { colour, cls, in_scope: inScope(p, wijk) };
}

/** The legend's text for class `i`: a range of values, in the metric's format. */
export function classLabel(i: number, c: Classes, m: Metric, smallHidden = false): string {
  const f = (v: number): string => metricText(v, m);
  const lo = i === 0 ? null : (c.breaks[i - 1] as number);
  const hi = i < c.breaks.length ? (c.breaks[i] as number) : null;
  if (c.diverging) {
    if (lo === null) return `≤ ${f(hi as number)}`;
    if (hi === null) return `> ${f(lo)}`;
    return `${f(lo)} … ${f(hi)}`;
  }
  // counts are whole numbers: a class above a break of 12 starts at 13
  let from = lo === null ? c.min : m === 'count' ? lo + 1 : lo;
  // with counts of 1 to 4 hidden for this viewer ("< 5"), a count class holds 0 or 5 and up:
  // a class above 0 starts at 5, not at a 1 that no buurt shown has
  if (m === 'count' && smallHidden && from >= 1 && from < 5) from = 5;
  const to = hi === null ? c.max : hi;
  return from >= to ? f(to) : `${f(from)} – ${f(to)}`;
}

export interface Headline {
  total: number;
  /** from the API's scope summary (the roll-up the steering report uses); its withheld cells */
  fromSummary?: boolean;
  withheldCells?: number;
  /** buurten withheld at the source, not in the total */
  withheld: number;
  /** buurten whose count is hidden for this viewer ("< 5"), not in the total */
  small: number;
  /** buurten without any data for the period, not in the total */
  noData?: number;
  /** buurten with a count: none (and no summary count) means there is no figure at all, not 0 */
  counted: number;
  /** the summary's count was (partly) carried from another boundary year: how (issue #11) */
  estimated?: Figures['estimated'];
  /** the figures are the wijk totals (exact), as buurten in scope had hidden counts */
  fromWijken: boolean;
  prev: number | null; change: number | null; rate: number | null;
  /** indicator 3 in scope, from the API's scope summary (never counted here): compliance without sanction of the counted actions */
  enfFree: number; enfAll: number;
  /** the share rests on few cases and is hidden for this viewer ("< 5") */
  enfSmall?: boolean;
}

/**
 * The headline figures of the buurten in scope: the total without the withheld buurten, the
 * change over the buurten with a previous count, the rate over the inhabitants of those with
 * figures. The enforcement share comes only from the API's scope summary (`summaryHeadline`).
 *
 * When buurten in scope have counts hidden for this viewer ("< 5"), a sum over the buurten would
 * be too low. Then the totals of the wijken in scope (`wijken`: all wijken, or the one in scope)
 * are used when each of them has its count; otherwise the sum says how many buurten it leaves out.
 */
export function headline(bs: AreaProps[], wijk: string | null, wijken: AreaProps[] = []): Headline {
  let total = 0, withheld = 0, small = 0, noData = 0, pop = 0, cur = 0, prev = 0, hasPrev = false, counted = 0;
  for (const b of bs) {
    if (b.count == null) {
      const k = areaCountKind(b);
      if (k === 'small') small++; else if (k === 'no_data') noData++; else withheld++;
      continue;
    }
    counted++;
    total += b.count;
    if (b.population) pop += b.population;
    if (b.previous_count != null) { cur += b.count; prev += b.previous_count; hasPrev = true; }
  }
  const enfFigures = { enfFree: 0, enfAll: 0 };
  const ws = wijken.filter((w) => !wijk || w.code === wijk);
  if (small > 0 && ws.length && ws.every((w) => w.count != null)) {
    const wTotal = ws.reduce((a, w) => a + (w.count as number), 0);
    const wPop = ws.reduce((a, w) => a + (w.population ?? 0), 0);
    const withPrev = ws.every((w) => w.previous_count != null);
    const wPrev = withPrev ? ws.reduce((a, w) => a + (w.previous_count as number), 0) : null;
    return {
      total: wTotal, withheld: 0, small: 0, fromWijken: true, counted,
      prev: wPrev,
      change: wPrev !== null && wPrev > 0 ? ((wTotal - wPrev) / wPrev) * 100 : null,
      rate: wPop > 0 ? (wTotal / wPop) * 1000 : null,
      ...enfFigures,
    };
  }
  return {
    total, withheld, small, noData, fromWijken: false, counted,
    prev: hasPrev ? prev : null,
    change: hasPrev && prev > 0 ? ((cur - prev) / prev) * 100 : null,
    rate: pop > 0 ? (total / pop) * 1000 : null,
    ...enfFigures,
  };
}

/**
 * The headline of the scope (the gemeente, or a wijk) as the API's scope summary has it
 * (`summary` / `wijk_summaries` of /api/areas: the roll-up, with counts hidden for this viewer
 * taken care of, and indicator 3's enforcement share: the figures the steering report shows).
 * Without a summary count the buurten's counts stay.
 */
export function summaryHeadline(hl: Headline, s: ScopeSummary | null | undefined): Headline {
  const e = s?.enforcement_without_sanction;
  const enf = { enfFree: e?.numerator ?? 0, enfAll: e?.denominator ?? 0, enfSmall: s?.enforcement_suppressed ?? false };
  const f = s?.figures;
  if (!f || f.count == null) return { ...hl, ...enf };
  return {
    ...hl, ...enf, total: f.count, withheld: 0, small: 0, fromWijken: false, fromSummary: true, withheldCells: f.withheld, estimated: f.estimated ?? null,
    prev: f.previous_count ?? null, change: f.change_pct ?? null, rate: f.rate_per_1000 ?? null,
  };
}

/**
 * Why the chosen crime types have no offence figures (/api/crime-types: no node of theirs is held
 * by the offences), or null when one of them has. The offence figures may hold the total only
 * (CBS 47018NED per buurt); incidents, when there are any, do follow the choice.
 */
export function typesWithoutOffences(crimeTypes: CrimeType[], types: string[], incidents: boolean): string | null {
  if (types.includes('0.0.0')) return null;
  if (types.some((c) => crimeTypes.find((x) => x.code === c)?.offences)) return null;
  const totalOnly = crimeTypes.every((x) => !x.offences || x.code === '0.0.0');
  if (totalOnly) return t(incidents ? 'types_total_only' : 'types_total_only_no_incidents');
  return t(incidents ? 'types_not_in_offences' : 'types_not_in_offences_no_incidents');
}
