// The figures the views show, derived from the loaded areas and the view state: a metric's value
// and text, the buurten in scope and their ranking, the headline sums, the choropleth's classes
// and each buurt's colour in them, and the legend's class labels. Pure functions, in one place,
// so that the map, the legend, the tables and the print all say the same.
import type { AreaProps, EnforcementProps } from './api';
import { classOf, divergingClasses, quantileClasses, WITHHELD_COLOUR, type Classes } from './classify';
import { fmt } from './i18n';
import type { BuurtStyle } from './map';
import type { Metric } from './state';

/** A buurt with figures but no value for the metric (a change without a previous count, a rate without inhabitants). */
export const NO_VALUE_COLOUR = '#f4f4f4';

export function metricValue(p: AreaProps, m: Metric): number | null {
  return (m === 'count' ? p.count : m === 'rate' ? p.rate_per_1000 : p.change_pct) ?? null;
}

export const metricText = (v: number | null, m: Metric): string => (m === 'count' ? fmt.int(v) : m === 'rate' ? fmt.dec(v) : fmt.pct(v));

export const inScope = (p: AreaProps, wijk: string | null): boolean => !wijk || p.parent_code === wijk;

/** Most incidents first; withheld last; ties by name. */
export const byRank = (a: AreaProps, b: AreaProps): number => (b.count ?? -1) - (a.count ?? -1) || a.name.localeCompare(b.name, 'nl');

/** The class breaks of a metric over all buurten (the gemeente, also when a wijk is in scope). */
export function classesFor(buurten: AreaProps[], m: Metric): Classes {
  const values = buurten.map((p) => metricValue(p, m)).filter((v): v is number => v !== null);
  return m === 'change' ? divergingClasses(values) : quantileClasses(values);
}

/** A buurt's colour and class in the choropleth, and whether it lies in the wijk in scope. */
export function buurtStyle(p: AreaProps, m: Metric, c: Classes, wijk: string | null): BuurtStyle {
  const v = metricValue(p, m);
  const cls = p.count == null ? -1 : v === null ? -2 : classOf(v, c);
  const colour = cls >= 0 ? (c.colours[cls] ?? WITHHELD_COLOUR) : cls === -2 ? NO_VALUE_COLOUR : WITHHELD_COLOUR;
  return { colour, cls, in_scope: inScope(p, wijk) };
}

/** The legend's text for class `i`: a range of values, in the metric's format. */
export function classLabel(i: number, c: Classes, m: Metric): string {
  const f = (v: number): string => metricText(v, m);
  const lo = i === 0 ? null : (c.breaks[i - 1] as number);
  const hi = i < c.breaks.length ? (c.breaks[i] as number) : null;
  if (c.diverging) {
    if (lo === null) return `≤ ${f(hi as number)}`;
    if (hi === null) return `> ${f(lo)}`;
    return `${f(lo)} … ${f(hi)}`;
  }
  // counts are whole numbers: a class above a break of 12 starts at 13
  const from = lo === null ? c.min : m === 'count' ? lo + 1 : lo;
  const to = hi === null ? c.max : hi;
  return from >= to ? f(to) : `${f(from)} – ${f(to)}`;
}

export interface Headline { total: number; withheld: number; prev: number | null; change: number | null; rate: number | null; enfFree: number; enfAll: number }

/**
 * The headline figures of the buurten in scope: the total without the withheld buurten, the
 * change over the buurten with a previous count, the rate over the inhabitants of those with
 * figures, and the share of enforcement that ended in compliance without a sanction.
 */
export function headline(bs: AreaProps[], enforcement: { properties: EnforcementProps }[], wijk: string | null): Headline {
  let total = 0, withheld = 0, pop = 0, cur = 0, prev = 0, hasPrev = false;
  for (const b of bs) {
    if (b.count == null) { withheld++; continue; }
    total += b.count;
    if (b.population) pop += b.population;
    if (b.previous_count != null) { cur += b.count; prev += b.previous_count; hasPrev = true; }
  }
  const codes = new Set(bs.map((b) => b.code));
  const enf = enforcement.filter((f) => !wijk || (f.properties.buurt_code != null && codes.has(f.properties.buurt_code)));
  return {
    total, withheld,
    prev: hasPrev ? prev : null,
    change: hasPrev && prev > 0 ? ((cur - prev) / prev) * 100 : null,
    rate: pop > 0 ? (total / pop) * 1000 : null,
    enfFree: enf.filter((f) => f.properties.outcome === 'compliance_without_sanction').length,
    enfAll: enf.length,
  };
}
