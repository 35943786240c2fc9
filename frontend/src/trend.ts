// The buurt panel's trend when the data has only yearly figures (CBS 47018NED comes per year, and
// the area API then has no months): which years the data covers, one point per year (a withheld,
// hidden or missing year is a gap, never 0), and the sentence saying why there is no chart when
// there is too little to draw. Pure, so the rules are unit-tested apart from the chart.
import type { AreaDetail } from './api';
import type { DataStatus } from './figures';
import { t } from './i18n';

/** A buurt's figure for one whole year. `count` null: withheld, hidden ("< 5") or no data (see status). */
export interface YearPoint { year: number; count: number | null; suppressed: boolean; status: DataStatus }

/** The whole years the data covers, from its first to its last period (`YYYY-MM`). */
export function dataYears(first: string, last: string): number[] {
  const a = Number(first.slice(0, 4)), b = Number(last.slice(0, 4));
  if (!Number.isInteger(a) || !Number.isInteger(b) || b < a) return [];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** The query for one whole year, as the area API takes it. */
export const yearRange = (year: number): { from: string; to: string } => ({ from: `${year}-01`, to: `${year}-12` });

/** A year's point from the area API's answer for that year. */
export function yearPoint(year: number, d: Pick<AreaDetail, 'figures'>): YearPoint {
  const f = d.figures;
  return { year, count: f.count ?? null, suppressed: f.suppressed, status: f.status };
}

/**
 * Why there is no yearly trend chart, as a sentence, or null when there is one to draw (at least
 * two years with a value). `points` null: still loading (only the data's own shortage is known).
 */
export function yearlyTrendNote(years: number[], points: YearPoint[] | null): string | null {
  if (years.length < 2) return t('trend_one_year', { y: years[0] ?? '–' });
  if (!points) return null;
  const valued = points.filter((p) => p.count != null);
  if (valued.length === 0) return t('trend_no_years', { a: years[0] as number, b: years[years.length - 1] as number });
  if (valued.length === 1) return t('trend_one_valued', { y: (valued[0] as YearPoint).year });
  return null;
}

/** Why there is no monthly trend chart: no months, or not one month with a count this year or a year earlier. */
export function monthlyTrendNote(monthly: AreaDetail['monthly']): string | null {
  return monthly.some((m) => m.count != null || m.previous_year_count != null) ? null : t('empty_trend');
}

/**
 * The months of a buurt's trend without a count, by why (`YYYY-MM`): withheld by CBS, and without
 * any row (no data) while other months have figures, which makes the period's figure partial.
 * Months hidden for this viewer ("< 5") are neither.
 */
export function monthGaps(monthly: AreaDetail['monthly']): { withheld: string[]; missing: string[] } {
  const any = monthly.some((m) => m.status === 'value');
  const of = (s: DataStatus): string[] => monthly.filter((m) => m.count == null && !m.suppressed && m.status === s).map((m) => m.period);
  return { withheld: of('withheld'), missing: any ? of('no_data') : [] };
}
