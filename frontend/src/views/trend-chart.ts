// The buurt panel's trend chart: month by month against the same month a year earlier when the
// data has months, or year by year when it has only yearly figures (CBS 47018NED). A withheld,
// hidden ("< 5") or missing point is a gap in the line, never 0; when there is too little to draw
// (no months, one year, nothing) the chart is a sentence saying why (trend.ts).
import uPlot from 'uplot';
import type { AreaDetail } from '../api';
import { h, type Child } from '../dom';
import { countText } from '../figures';
import { fmt, t } from '../i18n';
import { monthGaps, monthlyTrendNote, yearlyTrendNote, type YearPoint } from '../trend';

/** The yearly trend as the panel gets it: the data's years and their points (null while loading). */
export interface YearlyTrend { years: number[]; points: YearPoint[] | null; status: HTMLElement | null }

const note = (text: string): HTMLElement => h('p', { class: 'small muted empty-note', 'data-testid': 'trend-empty' }, text);

const AXIS = { font: '11px system-ui', stroke: '#4a5563' };

/** uPlot measures its container: it renders once the box is in the document. */
function plot(box: HTMLElement, opts: uPlot.Options, data: uPlot.AlignedData): HTMLElement {
  requestAnimationFrame(() => {
    const w = Math.max(260, Math.min(420, box.clientWidth || 330));
    new uPlot({ ...opts, width: w }, data, box);
  });
  return box;
}

/** A month's count as text: the number, "< 5", withheld (CBS) or no data, as its status says. */
const monthText = (m: AreaDetail['monthly'][number]): string => countText(m.count, m.suppressed, m.status);

/**
 * The chart of the months, and sentences naming the months without a figure: those withheld by
 * CBS, and those without any row, which make the buurt's figure for the period partial.
 */
export function monthlyChart(d: AreaDetail): Child {
  const why = monthlyTrendNote(d.monthly);
  if (why) return note(why);
  const months = d.monthly.map((m) => m.period);
  const box = h('div', { class: 'chart', role: 'img', 'data-trend': 'monthly' });
  box.setAttribute('aria-label', `${t('trend')}: ${d.monthly.map((m) => `${fmt.month(m.period)} ${monthText(m)} (${fmt.int(m.previous_year_count)})`).join('; ')}`);
  const gaps = monthGaps(d.monthly);
  const named = (key: 'trend_months_withheld' | 'trend_months_missing', ms: string[], testid: string): HTMLElement | null =>
    ms.length ? h('p', { class: 'small muted', 'data-testid': testid }, t(key, { months: ms.map(fmt.month).join(', ') })) : null;
  const xs = months.map((_, i) => i);
  const data: uPlot.AlignedData = [xs, d.monthly.map((m) => m.count ?? null), d.monthly.map((m) => m.previous_year_count ?? null)];
  return [plot(box, {
    width: 330,
    height: 170,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [
      { ...AXIS, values: (_u, splits) => splits.map((i) => (Number.isInteger(i) && months[i] ? fmt.month(months[i] as string).replace(/\s\d{4}$/, '') : '')), grid: { show: false } },
      { ...AXIS, size: 40, grid: { stroke: '#e5e8eb' }, values: (_u, s) => s.map((v) => fmt.int(v)) },
    ],
    series: [
      { label: '', value: (_u, i) => (i == null ? '' : fmt.month(months[i] ?? '')) },
      // a month hidden for this viewer is a gap in the line, and "< 5" in the legend and the label
      { label: t('trend_this'), stroke: '#1d4e89', width: 2.5, points: { size: 5 }, value: (_u, v, _s, i) => (v == null && i != null && d.monthly[i] ? monthText(d.monthly[i]) : fmt.int(v)) },
      { label: t('trend_prev'), stroke: '#c26a00', width: 2, dash: [6, 4], points: { size: 4 }, value: (_u, v) => fmt.int(v) },
    ],
  }, data), named('trend_months_withheld', gaps.withheld, 'trend-months-withheld'), named('trend_months_missing', gaps.missing, 'trend-months-missing')];
}

/** Year by year, over all years of the data; years are printed plain (2023, never 2.023). */
export function yearlyChart(y: YearlyTrend): HTMLElement {
  const why = yearlyTrendNote(y.years, y.points);
  if (why) return note(why);
  if (!y.points) return y.status ?? h('p', { class: 'small muted', role: 'status' }, t('loading'));
  const pts = y.points;
  const box = h('div', { class: 'chart', role: 'img', 'data-trend': 'yearly', 'data-years': pts.map((p) => p.year).join(',') });
  box.setAttribute('aria-label', `${t('trend_years')}: ${pts.map((p) => `${fmt.year(p.year)} ${countText(p.count, p.suppressed, p.status)}`).join('; ')}`);
  const first = pts[0]?.year ?? 0, last = pts[pts.length - 1]?.year ?? 0;
  const data: uPlot.AlignedData = [pts.map((p) => p.year), pts.map((p) => p.count)];
  return plot(box, {
    width: 330,
    height: 170,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: [first - 0.4, last + 0.4] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
    axes: [
      { ...AXIS, incrs: [1, 2, 5, 10], values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? fmt.year(v) : '')), grid: { show: false } },
      { ...AXIS, size: 40, grid: { stroke: '#e5e8eb' }, values: (_u, s) => s.map((v) => fmt.int(v)) },
    ],
    series: [
      { label: '', value: (_u, v) => (v == null ? '' : fmt.year(v)) },
      // a year withheld, hidden or without data is a gap in the line, and says why in the legend
      { label: t('trend_year_series'), stroke: '#1d4e89', width: 2.5, points: { show: true, size: 6 }, spanGaps: false,
        value: (_u, v, _s, i) => (v == null && i != null && pts[i] ? countText(null, pts[i].suppressed, pts[i].status) : fmt.int(v)) },
    ],
  }, data);
}
