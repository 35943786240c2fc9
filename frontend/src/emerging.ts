// Emerging hot spots on the data as it comes: the time step the data allows (yearly-only data such
// as CBS 47018NED has no months to step through), and the server's refusal of a selection with too
// few time steps turned into a Dutch sentence for the panel, not a red error: too few steps is a
// property of the data, not a failure. The same for Gi* hot spots on a scope whose values sum to
// zero: a gemeente the offence figures do not cover (issue #11), or nothing but zeros.
import { apiStatus } from './api';
import type { DataStatus } from './figures';
import { t } from './i18n';
import type { PlanState } from './state';

/** The step to ask for: the one chosen, but always `year` when the data has only yearly figures. */
export const emergingStep = (monthly: boolean, chosen: PlanState['step']): PlanState['step'] => (monthly ? chosen : 'year');

/** The server's message of a failed request. */
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String((err as { message?: unknown }).message ?? ''));

/**
 * The sentence for a refusal of Gi* that lies in the data (HTTP 400: too few areas with figures,
 * or values that sum to zero), or null for any other failure. `counted`: whether a buurt of the
 * scope has an offence count; without one the scope has no figures at all (`scope`: its name),
 * which is not a sum of zeros.
 */
export function hotspotRefusal(err: unknown, counted: boolean, scope: string): string | null {
  if (apiStatus(err) !== 400) return null;
  const m = messageOf(err);
  const few = /need at least (\d+) areas with figures; (\d+) of (\d+) have one/.exec(m);
  if (few && few[2] !== '0') return t('hs_too_few', { min: few[1] as string, n: few[2] as string, m: few[3] as string });
  if (few || /sum to zero/.test(m)) return counted ? t('hs_zero') : t('hs_no_figures', { g: scope });
  return null;
}

/** Why areas were left out of a hot-spot statistic (the API's `excluded`), as a sentence, or null when none were. */
export function excludedNote(excluded: { status: DataStatus }[], key: 'hs_excluded' | 'em_excluded'): string | null {
  if (!excluded.length) return null;
  const by = (s: DataStatus): number => excluded.filter((e) => e.status === s).length;
  const why = [by('no_data') ? `${t('no_data')}: ${by('no_data')}` : '', by('withheld') ? `${t('withheld')}: ${by('withheld')}` : ''].filter(Boolean).join(', ');
  return t(key, { n: excluded.length, why });
}

/**
 * The sentence for a refusal of the emerging-hotspot analysis that lies in the data (HTTP 400:
 * fewer than 3 time steps, or nothing but zeros), or null for any other failure, which stays an
 * error. The server's message is English; the numbers in it are taken over.
 */
export function emergingRefusal(err: unknown): string | null {
  if (apiStatus(err) !== 400) return null;
  const m = messageOf(err);
  const few = /need at least (\d+) (year|month)s of data, and the selection has (\d+) \(([^)]*)\)/.exec(m);
  if (few) {
    const [, min, unit, n, range] = few as unknown as [string, string, 'year' | 'month', string, string];
    return t('em_too_few', { min, unit: t(unit === 'year' ? 'em_unit_year' : 'em_unit_month'), n, range: range || '–' });
  }
  if (/sum to zero/.test(m)) return t('em_zero');
  return t('em_other', { m });
}
