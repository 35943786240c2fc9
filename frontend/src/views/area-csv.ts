// The buurt panel's CSV export: the panel's figures, month by month, by type, enforcement,
// cameras and initiatives as rows of section, key, value (and the value a year earlier), written
// by the one CSV writer (csv.ts). Apart from the panel so that it stays a pure function of the data.
import type { AreaDetail } from '../api';
import { dutchCsv, type CsvCell } from '../csv';
import type { YearPoint } from '../trend';

/** A count for the CSV: "< 5" where it is hidden for this viewer (empty where withheld). */
const small = (v: number | null | undefined, suppressed: boolean | null | undefined): CsvCell => (v == null && suppressed ? '< 5' : v);

/** `years`: the buurt's count per year, when the data has only yearly figures (rows `per_jaar`). */
export function areaCsv(d: AreaDetail, period: string, types: string, years: YearPoint[] = []): string {
  const rows: CsvCell[][] = [
    ['buurt', 'code', d.code, null], ['buurt', 'naam', d.name, null], ['buurt', 'wijk', d.parent_name, null],
    ['buurt', 'inwoners', d.population, null], ['filter', 'periode', period, null], ['filter', 'soorten', types, null],
    ['kerncijfers', 'aantal', small(d.figures.count, d.figures.suppressed), null], ['kerncijfers', 'afgeschermde_cellen', d.figures.withheld, null],
    ['kerncijfers', 'per_1000_inwoners', d.figures.rate_per_1000, null], ['kerncijfers', 'vorige_periode', small(d.figures.previous_count, d.figures.previous_suppressed), null],
    ['kerncijfers', 'verandering_pct', d.figures.change_pct, null], ['kerncijfers', 'rang', d.figures.rank, d.figures.rank_of],
    ...d.monthly.map((m) => ['per_maand', m.period, small(m.count, m.suppressed), m.previous_year_count]),
    ...years.map((y) => ['per_jaar', String(y.year), small(y.count, y.suppressed), null]),
    ...d.by_type.map((b) => ['soort', `${b.code} ${b.title}`, small(b.count, b.suppressed), null]),
    ...d.enforcement_by_outcome.map((e) => ['handhaving', e.outcome, small(e.count, e.suppressed), null]),
    ...d.cameras.map((c) => ['camera', `${c.id} ${c.name}`, c.status, c.radius_m]),
    ...d.initiatives.map((i) => ['buurtpreventie', `${i.id} ${i.name}`, i.kind, i.members]),
  ];
  return dutchCsv(['sectie', 'sleutel', 'waarde', 'waarde_vorig_jaar'], rows);
}
