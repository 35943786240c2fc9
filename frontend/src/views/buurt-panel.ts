// The buurt panel: key figures with rank, the trend (per month vs a year earlier, or per year on
// yearly-only data), breakdown by crime
// type, enforcement by outcome, cameras and initiatives inside the buurt, and a CSV export. It is
// what a click on the map, the table or a list opens, and it replaces the view until closed.
import type { AreaDetail, Meta } from '../api';
import { h, type Child } from '../dom';
import { fmt, t, type Key } from '../i18n';
import { downloadCsv } from '../csv';
import { countClass, countKind, countText } from '../figures';
import { OUTCOME_COLOURS } from '../map';
import { estimatedLong, estimatedShort } from '../scope';
import { monthGaps } from '../trend';
import { areaCsv } from './area-csv';
import { monthlyChart, yearlyChart, type YearlyTrend } from './trend-chart';

export function figureTile(label: string, value: string, note?: string | null, testid?: string): HTMLElement {
  return h('div', { class: 'tile' },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value', 'data-testid': testid }, value),
    note ? h('div', { class: 'tile-note' }, note) : null);
}


export function rankText(rank: number | null | undefined, of: number | null | undefined): string {
  return rank == null || of == null ? '–' : t('rank_of', { r: rank, n: of });
}

/** Bars of counts; a count hidden for this viewer ("< 5") or withheld gets a full, patterned bar and its text, never 0. */
function bars(rows: { label: string; value: number | null | undefined; suppressed?: boolean; colour?: string | undefined }[]): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  return h('ul', { class: 'bars' }, rows.map((r) => {
    const k = countKind(r.value, r.suppressed);
    return h('li', { 'data-kind': k },
      h('span', { class: 'bar-label' }, r.label),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' },
        h('span', { class: `bar${k === 'small' ? ' bar-small' : k === 'withheld' ? ' bar-withheld' : k === 'no_data' ? ' bar-nodata' : ''}`, style: `width:${r.value == null ? 100 : (100 * r.value) / max}%;${r.colour && k === 'value' ? `background:${r.colour}` : ''}` })),
      h('span', { class: `bar-value ${countClass(k)}`.trim(), title: k === 'small' ? t('small_title') : null }, countText(r.value, r.suppressed)));
  }));
}

/**
 * The panel of one buurt. `yearly`: the data has only yearly figures, so the trend is per year
 * (null: the data has months, the trend is per month).
 */
export function renderPanel(d: AreaDetail, period: { from: string; to: string }, typesLabel: string, onClose: () => void, yearly: YearlyTrend | null = null, counts: Meta['counts'] | null = null): HTMLElement {
  // "none" in the buurt, or none in the data at all (never imported): another sentence
  const none = (kind: 'enforcement' | 'cameras' | 'initiatives'): HTMLElement => h('p', { class: 'muted', 'data-testid': `panel-${kind}-none` },
    counts && counts[kind] === 0 ? t(kind === 'enforcement' ? 'enf_none_file' : kind === 'cameras' ? 'cam_none' : 'ini_none') : t('none'));
  const f = d.figures;
  // months without any row while others have figures: the count is partial
  const missing = monthGaps(d.monthly).missing;
  const titleId = 'panel-title';
  const section = (title: string, ...body: Child[]): HTMLElement => h('section', { class: 'panel-section' }, h('h3', {}, title), ...body);
  const outcomes = d.enforcement_by_outcome;
  return h('div', { class: 'buurt-panel', 'data-code': d.code, role: 'region', 'aria-labelledby': titleId },
    h('div', { class: 'panel-head' },
      h('div', {},
        h('h2', { id: titleId, tabindex: -1 }, d.name),
        h('p', { class: 'muted' }, `${d.code} · ${t('in_wijk', { w: d.parent_name ?? '–' })} · ${t('inhabitants', { n: fmt.int(d.population) })}`)),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('close'), title: t('close'), onclick: onClose }, '×')),
    h('p', { class: 'muted small' }, `${fmt.period(period.from, period.to)} · ${typesLabel}`),
    h('div', { class: 'tiles' },
      figureTile(t('fig_count'), countText(f.count, f.suppressed, f.status),
        [f.estimated ? estimatedShort(f.estimated) : null, f.withheld > 0 ? t('fig_withheld_cells', { n: f.withheld }) : f.suppressed ? t('small_title') : null,
          missing.length ? t('fig_missing_months', { n: missing.length }) : null].filter(Boolean).join(' · ') || null, 'panel-count'),
      figureTile(t('fig_rate'), fmt.dec(f.rate_per_1000), null, 'panel-rate'),
      figureTile(t('fig_change'), fmt.pct(f.change_pct), f.previous_count != null || f.previous_suppressed || f.previous_status === 'no_data' ? `${t('col_prev')}: ${countText(f.previous_count, f.previous_suppressed, f.previous_status)}` : null, 'panel-change'),
      figureTile(t('fig_rank'), rankText(f.rank, f.rank_of), null, 'panel-rank')),
    // figures carried from another boundary year: where they come from, and how (issue #11)
    f.estimated ? h('p', { class: 'small muted estimated-note', 'data-testid': 'panel-estimated' }, estimatedLong(f.estimated)) : null,
    yearly ? section(t('trend_years'), yearlyChart(yearly)) : section(t('trend'), monthlyChart(d)),
    section(t('by_type'), d.by_type.length
      ? bars([...d.by_type].sort((a, b) => (b.count ?? -1) - (a.count ?? -1)).map((b) => ({ label: b.title, value: b.count, suppressed: b.suppressed })))
      // a buurt with a count but no types: the data has the total only (47018NED per buurt)
      : h('p', { class: 'muted', 'data-testid': 'by-type-none' }, f.count != null ? t('by_type_total_only') : t('none'))),
    section(t('enforcement_outcome'), outcomes.some((o) => (o.count ?? 0) > 0 || o.suppressed)
      ? bars(outcomes.map((o) => ({ label: t(`outcome_${o.outcome}` as Key) ?? o.outcome, value: o.count, suppressed: o.suppressed, colour: OUTCOME_COLOURS[o.outcome] })))
      : none('enforcement')),
    section(t('cameras'), d.cameras.length
      ? h('ul', { class: 'plain' }, d.cameras.map((c) => h('li', {}, h('strong', {}, c.name), ` · ${c.status === 'planned' ? t('planned') : t('active')} · ${fmt.int(c.radius_m)} m`)))
      : none('cameras')),
    section(t('initiatives'), d.initiatives.length
      ? h('ul', { class: 'plain' }, d.initiatives.map((i) => h('li', {}, h('strong', {}, i.name), ` · ${i.kind}`, i.members != null ? ` · ${t('members', { n: fmt.int(i.members) })}` : '', i.start_date ? ` · ${t('since', { d: fmt.date(i.start_date) })}` : '')))
      : none('initiatives')),
    h('div', { class: 'panel-actions' },
      h('button', { class: 'btn', type: 'button', 'data-testid': 'csv-export', onclick: () => downloadCsv(`wijkveilig-${d.code}-${period.from}-${period.to}.csv`, areaCsv(d, `${period.from}..${period.to}`, typesLabel, yearly?.points ?? [])) }, t('csv_export'))));
}
