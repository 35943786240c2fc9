// The buurt panel: key figures with rank, monthly trend vs a year earlier, breakdown by crime
// type, enforcement by outcome, cameras and initiatives inside the buurt, and a CSV export. It is
// what a click on the map, the table or a list opens, and it replaces the view until closed.
import uPlot from 'uplot';
import type { AreaDetail } from '../api';
import { h, type Child } from '../dom';
import { fmt, t, type Key } from '../i18n';
import { countClass, countKind, countText } from '../figures';
import { OUTCOME_COLOURS } from '../map';

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

function trendChart(d: AreaDetail): HTMLElement {
  const box = h('div', { class: 'chart', role: 'img' });
  const months = d.monthly.map((m) => m.period);
  box.setAttribute('aria-label', `${t('trend')}: ${d.monthly.map((m) => `${fmt.month(m.period)} ${countText(m.count, m.suppressed)} (${fmt.int(m.previous_year_count)})`).join('; ')}`);
  if (months.length === 0) return h('p', { class: 'small muted empty-note', 'data-testid': 'trend-empty' }, t('empty_trend'));
  const xs = months.map((_, i) => i);
  const data: uPlot.AlignedData = [xs, d.monthly.map((m) => m.count), d.monthly.map((m) => m.previous_year_count)];
  const opts: uPlot.Options = {
    width: 330,
    height: 170,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [
      { values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && months[i] ? fmt.month(months[i] as string).replace(/\s\d{4}$/, '') : '')), font: '11px system-ui', stroke: '#4a5563', grid: { show: false } },
      { font: '11px system-ui', stroke: '#4a5563', size: 40, grid: { stroke: '#e5e8eb' }, values: (_u, s) => s.map((v) => fmt.int(v)) },
    ],
    series: [
      { label: '', value: (_u, i) => (i == null ? '' : fmt.month(months[i] ?? '')) },
      // a month hidden for this viewer is a gap in the line, and "< 5" in the legend and the label
      { label: t('trend_this'), stroke: '#1d4e89', width: 2.5, points: { size: 5 }, value: (_u, v, _s, i) => (v == null && i != null && d.monthly[i]?.suppressed ? t('small_count') : fmt.int(v)) },
      { label: t('trend_prev'), stroke: '#c26a00', width: 2, dash: [6, 4], points: { size: 4 }, value: (_u, v) => fmt.int(v) },
    ],
  };
  // uPlot measures its container: render once the box is in the document.
  requestAnimationFrame(() => {
    const w = Math.max(260, Math.min(420, box.clientWidth || 330));
    new uPlot({ ...opts, width: w }, data, box);
  });
  return box;
}

/** A count for the CSV: "< 5" where it is hidden for this viewer (empty where withheld). */
const small = (v: number | null | undefined, suppressed: boolean | null | undefined): number | string | null | undefined => (v == null && suppressed ? '< 5' : v);

export function areaCsv(d: AreaDetail, period: string, types: string): string {
  const rows: (string | number | null | undefined)[][] = [
    ['sectie', 'sleutel', 'waarde', 'waarde_vorig_jaar'],
    ['buurt', 'code', d.code, null], ['buurt', 'naam', d.name, null], ['buurt', 'wijk', d.parent_name, null],
    ['buurt', 'inwoners', d.population, null], ['filter', 'periode', period, null], ['filter', 'soorten', types, null],
    ['kerncijfers', 'aantal', small(d.figures.count, d.figures.suppressed), null], ['kerncijfers', 'afgeschermde_cellen', d.figures.withheld, null],
    ['kerncijfers', 'per_1000_inwoners', d.figures.rate_per_1000, null], ['kerncijfers', 'vorige_periode', small(d.figures.previous_count, d.figures.previous_suppressed), null],
    ['kerncijfers', 'verandering_pct', d.figures.change_pct, null], ['kerncijfers', 'rang', d.figures.rank, d.figures.rank_of],
    ...d.monthly.map((m) => ['per_maand', m.period, small(m.count, m.suppressed), m.previous_year_count]),
    ...d.by_type.map((b) => ['soort', `${b.code} ${b.title}`, small(b.count, b.suppressed), null]),
    ...d.enforcement_by_outcome.map((e) => ['handhaving', e.outcome, small(e.count, e.suppressed), null]),
    ...d.cameras.map((c) => ['camera', `${c.id} ${c.name}`, c.status, c.radius_m]),
    ...d.initiatives.map((i) => ['buurtpreventie', `${i.id} ${i.name}`, i.kind, i.members]),
  ];
  const cell = (v: string | number | null | undefined): string => {
    if (v == null) return '';
    const s = typeof v === 'number' ? String(v).replace('.', ',') : v;
    return /[;"\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  // semicolons and decimal commas: opens directly in Dutch spreadsheet software
  return `\ufeff${rows.map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function renderPanel(d: AreaDetail, period: { from: string; to: string }, typesLabel: string, onClose: () => void): HTMLElement {
  const f = d.figures;
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
      figureTile(t('fig_count'), countText(f.count, f.suppressed, f.status), f.withheld > 0 ? t('fig_withheld_cells', { n: f.withheld }) : f.suppressed ? t('small_title') : null, 'panel-count'),
      figureTile(t('fig_rate'), fmt.dec(f.rate_per_1000), null, 'panel-rate'),
      figureTile(t('fig_change'), fmt.pct(f.change_pct), f.previous_count != null || f.previous_suppressed ? `${t('col_prev')}: ${countText(f.previous_count, f.previous_suppressed, f.previous_status)}` : null, 'panel-change'),
      figureTile(t('fig_rank'), rankText(f.rank, f.rank_of), null, 'panel-rank')),
    section(t('trend'), trendChart(d)),
    section(t('by_type'), d.by_type.length
      ? bars([...d.by_type].sort((a, b) => (b.count ?? -1) - (a.count ?? -1)).map((b) => ({ label: b.title, value: b.count, suppressed: b.suppressed })))
      : h('p', { class: 'muted' }, t('none'))),
    section(t('enforcement_outcome'), outcomes.some((o) => (o.count ?? 0) > 0 || o.suppressed)
      ? bars(outcomes.map((o) => ({ label: t(`outcome_${o.outcome}` as Key) ?? o.outcome, value: o.count, suppressed: o.suppressed, colour: OUTCOME_COLOURS[o.outcome] })))
      : h('p', { class: 'muted' }, t('none'))),
    section(t('cameras'), d.cameras.length
      ? h('ul', { class: 'plain' }, d.cameras.map((c) => h('li', {}, h('strong', {}, c.name), ` · ${c.status === 'planned' ? t('planned') : t('active')} · ${fmt.int(c.radius_m)} m`)))
      : h('p', { class: 'muted' }, t('none'))),
    section(t('initiatives'), d.initiatives.length
      ? h('ul', { class: 'plain' }, d.initiatives.map((i) => h('li', {}, h('strong', {}, i.name), ` · ${i.kind}`, i.members != null ? ` · ${t('members', { n: fmt.int(i.members) })}` : '', i.start_date ? ` · ${t('since', { d: fmt.date(i.start_date) })}` : '')))
      : h('p', { class: 'muted' }, t('none'))),
    h('div', { class: 'panel-actions' },
      h('button', { class: 'btn', type: 'button', 'data-testid': 'csv-export', onclick: () => download(`wijkveilig-${d.code}-${period.from}-${period.to}.csv`, areaCsv(d, `${period.from}..${period.to}`, typesLabel)) }, t('csv_export'))));
}
