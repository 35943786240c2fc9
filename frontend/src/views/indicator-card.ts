// Programme indicators (issue #5): a card per indicator with its value, a trend sparkline against
// the target, the status, the survey margin of error, a drill-down to the data behind the figure
// and target (and baseline) editing that updates the status at once. Used by the Indicatoren view
// (editable, for the roles that may change targets or baselines) and the steering report (read-only).
import { api, type Breakdown, type Indicator, type YearValue } from '../api';
import { h, swap, type Child } from '../dom';
import { fmt, getLang, t, type Key } from '../i18n';
import { errorText, Slot, statusNote } from '../load';

export const STATUS_CLASS: Record<string, string> = { on_track: 'ok', off_track: 'bad', no_target: 'none' };

export function valueText(ind: Pick<Indicator, 'unit'>, v: number | null | undefined): string {
  if (v == null) return '–';
  return ind.unit === '%' ? `${fmt.num(v, 1)}%` : fmt.num(v, ind.unit === 'count' ? 0 : 1);
}

const latestValue = (ind: Indicator) => {
  const y = ind.latest?.year;
  return ind.values.find((v) => v.year === y) ?? ind.values[ind.values.length - 1] ?? null;
};

/** Inline SVG: values (with margin-of-error bars), baseline and targets over the years. */
export function sparkline(ind: Indicator, width = 240, height = 70): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  const vals = ind.values.filter((v) => v.value != null);
  const tgt = ind.targets;
  const desc = `${t('ind_trend')}: ${vals.map((v) => `${fmt.year(v.year)} ${valueText(ind, v.value)}`).join(', ')}${tgt.length ? `; ${t('ind_target')}: ${tgt.map((x) => `${fmt.year(x.year)} ${valueText(ind, x.value)}`).join(', ')}` : ''}`;
  svg.setAttribute('aria-label', desc);
  const years = [...vals.map((v) => v.year), ...tgt.map((x) => x.year), ...(ind.baseline ? [ind.baseline.year] : [])];
  if (!years.length) return svg;
  const y0 = Math.min(...years), y1 = Math.max(...years);
  const ys = [...vals.flatMap((v) => [(v.value as number) - (v.margin ?? 0), (v.value as number) + (v.margin ?? 0)]), ...tgt.map((x) => x.value), ...(ind.baseline ? [ind.baseline.value] : [])];
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.12;
  lo -= pad; hi += pad;
  // a single year sits in the middle
  const px = (yr: number) => (y1 === y0 ? (width - 40) / 2 : 16 + ((yr - y0) / (y1 - y0)) * (width - 62));
  const py = (v: number) => 6 + (1 - (v - lo) / (hi - lo)) * (height - 20);
  const add = (tag: string, attrs: Record<string, string | number>): SVGElement => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.appendChild(el);
    return el;
  };
  add('line', { x1: 8, x2: width - 40, y1: height - 14, y2: height - 14, stroke: '#d5dbe1' });
  for (const yr of y0 === y1 ? [y0] : [y0, y1]) { const tx = add('text', { x: px(yr), y: height - 2, 'font-size': 10, 'text-anchor': 'middle', fill: '#4b5563' }); tx.textContent = fmt.year(yr); }
  if (ind.baseline) add('line', { x1: 8, x2: width - 40, y1: py(ind.baseline.value), y2: py(ind.baseline.value), stroke: '#8a96a3', 'stroke-dasharray': '2 3' });
  // targets: dashed line from the last value to each target, target as an open diamond
  const last = vals[vals.length - 1];
  for (const x of tgt) {
    if (last && x.year > last.year) add('line', { x1: px(last.year), y1: py(last.value as number), x2: px(x.year), y2: py(x.value), stroke: '#c2410c', 'stroke-dasharray': '4 3', 'stroke-width': 1.5 });
    const cx = px(x.year), cy = py(x.value);
    add('path', { d: `M${cx} ${cy - 5}L${cx + 5} ${cy}L${cx} ${cy + 5}L${cx - 5} ${cy}Z`, fill: '#fff', stroke: '#c2410c', 'stroke-width': 2 });
  }
  for (const v of vals) if (v.margin) add('line', { x1: px(v.year), x2: px(v.year), y1: py((v.value as number) - v.margin), y2: py((v.value as number) + v.margin), stroke: '#7f9db0', 'stroke-width': 3, 'stroke-linecap': 'round', opacity: 0.6 });
  if (vals.length > 1) add('polyline', { points: vals.map((v) => `${px(v.year)},${py(v.value as number)}`).join(' '), fill: 'none', stroke: '#1d4e89', 'stroke-width': 2.2 });
  for (const v of vals) add('circle', { cx: px(v.year), cy: py(v.value as number), r: 2.8, fill: '#1d4e89' });
  if (last) { const tx = add('text', { x: px(last.year) + 6, y: py(last.value as number) + 4, 'font-size': 11, 'font-weight': 700, fill: '#1f2a37' }); tx.textContent = valueText(ind, last.value); }
  return svg;
}

/** Under a sparkline of a single year's value and no target: a trend needs at least two years. */
function sparkNote(ind: Indicator): HTMLElement | null {
  const vals = ind.values.filter((v) => v.value != null);
  return vals.length === 1 && !ind.targets.length ? h('p', { class: 'small muted', 'data-testid': 'spark-one-year' }, t('spark_one_year', { y: fmt.year((vals[0] as YearValue).year) })) : null;
}

/** Whether a column of the rows behind a figure holds years (`year`, `jaar`, `…_year`): printed plain. */
const YEAR_COLUMN = /(^|_)(year|jaar)$/i;

/**
 * A cell of the rows behind a figure: numbers in nl-NL with up to two decimals, but a year (a
 * year column, or a whole number in one) plain, never grouped as 2.023.
 */
export function dataCell(col: string, v: unknown): string {
  if (typeof v === 'number') return YEAR_COLUMN.test(col) && Number.isInteger(v) ? fmt.year(v) : fmt.num(v, 2);
  if (typeof v === 'boolean') return v ? '✓' : '–';
  if (v == null) return '–';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function statusBadge(ind: Indicator): HTMLElement {
  return h('span', { class: `status status-${STATUS_CLASS[ind.status] ?? 'none'}`, 'data-testid': 'status' }, t(`st_${ind.status}` as Key));
}

export interface CardOpts {
  /** the dashboard's card: with the definition and the drill-down (not in the printed report) */
  editable: boolean;
  /** the target form (the role may change targets) */
  targets?: boolean;
  /** the baseline form (the role may change baselines) */
  baselines?: boolean;
  area: string | null;
  /** the gemeente whose indicators these are (its targets and baselines; null: the API's default) */
  gemeente?: string | null;
  onUpdate?: (ind: Indicator) => void;
  onArea?: (code: string) => void;
}

export const indicatorTitle = (ind: Indicator): string => (getLang() === 'en' && ind.title_en ? ind.title_en : ind.title);

/** One indicator card. With `editable`, the drill-down is included, and the target and baseline forms the options ask for. */
export function indicatorCard(ind: Indicator, o: CardOpts): HTMLElement {
  const lv = latestValue(ind);
  const nextTarget = [...ind.targets].sort((a, b) => a.year - b.year).find((x) => !ind.latest || x.year >= ind.latest.year) ?? ind.targets[ind.targets.length - 1] ?? null;
  const card = h('article', { class: 'ind-card', 'data-key': ind.key, 'aria-labelledby': `ind-${ind.key}-title` });
  const body = (): Child[] => [
    h('header', { class: 'ind-head' },
      h('h3', { id: `ind-${ind.key}-title` }, h('span', { class: 'ind-num' }, `${ind.number}. `), indicatorTitle(ind)),
      statusBadge(ind)),
    h('div', { class: 'ind-main' },
      h('div', {},
        h('div', { class: 'ind-value', 'data-testid': 'value' }, valueText(ind, ind.latest?.value)),
        h('div', { class: 'ind-sub small muted' }, ind.latest ? `${ind.latest.year} · ${ind.unit === '%' ? t('unit_pct') : t('unit_count')}` : t('no_data')),
        h('div', { class: 'ind-sub small' }, ind.direction === 'higher_is_better' ? `↑ ${t('dir_higher')}` : `↓ ${t('dir_lower')}`),
        lv?.margin != null ? h('div', { class: 'ind-sub small', 'data-testid': 'margin' }, t('ind_margin', { m: valueText(ind, lv.margin), n: fmt.int(lv.n ?? null) })) : null,
        lv?.within_margin ? h('div', { class: 'within', 'data-testid': 'within-margin', title: t('ind_within_title') }, t('ind_within')) : null),
      ind.values.some((v) => v.value != null) || ind.targets.length ? h('div', { class: 'spark-box' }, sparkline(ind), sparkNote(ind)) : h('p', { class: 'small muted empty-note' }, t('empty_spark'))),
    h('p', { class: 'small ind-target', 'data-testid': 'target' },
      nextTarget ? t('ind_target_text', { y: nextTarget.year, v: valueText(ind, nextTarget.value) }) : t('ind_no_target'),
      // what the status judges by when the latest year has no target of its own: the path to one
      ind.expected && ind.expected.target_year !== ind.expected.year
        ? h('span', { 'data-testid': 'expected' }, ` · ${t('ind_expected', { y: ind.expected.year, v: valueText(ind, ind.expected.value), t: ind.expected.target_year })}`)
        : null,
      ind.baseline ? ` · ${t('ind_baseline', { y: ind.baseline.year, v: valueText(ind, ind.baseline.value) })}` : '',
      ind.demo_targets ? h('span', { class: 'muted' }, ` · ${t('ind_demo_targets')}`) : null),
    o.editable ? h('details', { class: 'small muted ind-def' }, h('summary', {}, `${t('ind_definition')} (${ind.source === 'survey' ? t('src_survey') : t('src_computed')})`), h('p', {}, getLang() === 'en' && ind.definition_en ? ind.definition_en : ind.definition))
      : h('p', { class: 'small muted ind-def' }, `${ind.source === 'survey' ? t('src_survey') : t('src_computed')}`),
    o.editable ? h('div', { class: 'ind-actions' },
      o.targets ? h('details', { class: 'ind-edit' },
        h('summary', {}, t('ind_edit_target')),
        h('form', { class: 'field-row', onsubmit: (e: Event) => { e.preventDefault(); void saveTarget(); } },
          h('div', { class: 'field' }, h('label', { for: `tg-y-${ind.key}` }, t('year')),
            h('input', { type: 'number', id: `tg-y-${ind.key}`, min: 2000, max: 2100, step: 1, required: true, value: nextTarget?.year ?? (ind.latest ? ind.latest.year + 1 : new Date().getFullYear()) })),
          h('div', { class: 'field' }, h('label', { for: `tg-v-${ind.key}` }, `${t('ind_target')} (${ind.unit === '%' ? '%' : t('unit_count')})`),
            h('input', { type: 'number', id: `tg-v-${ind.key}`, step: 'any', required: true, value: nextTarget?.value ?? '' })),
          h('button', { type: 'submit', class: 'btn btn-small btn-primary', id: `tg-save-${ind.key}` }, t('save')),
          h('p', { class: 'small', role: 'status', id: `tg-msg-${ind.key}` }))) : null,
      o.baselines ? h('details', { class: 'ind-edit-baseline' },
        h('summary', {}, t('ind_edit_baseline')),
        h('form', { class: 'field-row', onsubmit: (e: Event) => { e.preventDefault(); void saveBaseline(); } },
          h('div', { class: 'field' }, h('label', { for: `bl-y-${ind.key}` }, t('year')),
            h('input', { type: 'number', id: `bl-y-${ind.key}`, min: 2000, max: 2100, step: 1, required: true, value: ind.baseline?.year ?? ind.values[0]?.year ?? new Date().getFullYear() })),
          h('div', { class: 'field' }, h('label', { for: `bl-v-${ind.key}` }, `${t('ind_baseline_label')} (${ind.unit === '%' ? '%' : t('unit_count')})`),
            h('input', { type: 'number', id: `bl-v-${ind.key}`, step: 'any', required: true, value: ind.baseline?.value ?? '' })),
          h('button', { type: 'submit', class: 'btn btn-small btn-primary', id: `bl-save-${ind.key}` }, t('save')),
          h('p', { class: 'small', role: 'status', id: `bl-msg-${ind.key}` }))) : null,
      h('details', { class: 'ind-drill', ontoggle: (e: Event) => { if ((e.target as HTMLDetailsElement).open) loadBreakdown(); } },
        h('summary', {}, t('ind_breakdown')),
        h('div', { class: 'breakdown', id: `bd-${ind.key}` }, h('p', { class: 'small muted' }, t('loading'))))) : null,
  ];
  /** Saves the target (`tg`) or the baseline (`bl`) form, and puts the card the API answers in this one's place. */
  async function save(kind: 'tg' | 'bl'): Promise<void> {
    const y = Number((document.getElementById(`${kind}-y-${ind.key}`) as HTMLInputElement).value);
    const v = Number((document.getElementById(`${kind}-v-${ind.key}`) as HTMLInputElement).value);
    const msg = document.getElementById(`${kind}-msg-${ind.key}`);
    try {
      const g = o.gemeente ?? null;
      const updated = kind === 'tg' ? await api.setTarget(ind.key, y, v, g) : await api.setBaseline(ind.key, y, v, g);
      // the PUT answers for the whole gemeente; re-read the area's view when drilled down
      const fresh = o.area ? (await api.indicators(o.area)).find((x) => x.key === ind.key) ?? updated : updated;
      o.onUpdate?.(fresh);
      const next = indicatorCard(fresh, o);
      card.replaceWith(next);
      const m = next.querySelector(`#${kind}-msg-${ind.key}`);
      if (m) m.textContent = t(kind === 'tg' ? 'ind_saved' : 'ind_baseline_saved', { s: t(`st_${fresh.status}` as Key) });
      next.querySelector(kind === 'tg' ? 'details.ind-edit' : 'details.ind-edit-baseline')?.setAttribute('open', '');
      (next.querySelector(`#${kind}-save-${ind.key}`) as HTMLElement | null)?.focus();
    } catch (err) {
      if (msg) msg.textContent = errorText(err);
    }
  }
  const saveTarget = (): Promise<void> => save('tg');
  const saveBaseline = (): Promise<void> => save('bl');
  const breakdown = new Slot<Breakdown>({
    onChange: () => {
      const el = card.querySelector(`#bd-${ind.key}`);
      if (el) swap(el, breakdown.data ? breakdownView(ind, breakdown.data, o.onArea) : statusNote(breakdown));
    },
  });
  function loadBreakdown(): void {
    const year = ind.latest?.year ?? null;
    const area = o.area ?? o.gemeente ?? null;
    void breakdown.load(`${year}|${area ?? ''}`, (signal) => api.breakdown(ind.key, year, area, signal));
  }
  for (const c of body()) if (c) card.append(c as Node);
  return card;
}

/**
 * The breakdown of an indicator's value: the area's value, a table of the value per part (the
 * wijken of the gemeente, or the buurten of a wijk; only wijken drill down further) with the
 * survey's margin and sample size or a share's counts, and a table of the rows behind the figure.
 */

export function breakdownView(ind: Indicator, b: Breakdown, onArea?: (code: string) => void): Child[] {
  const parts = b.wijken;
  const survey = parts.some((w) => w.value?.margin != null);
  const shares = parts.some((w) => w.value?.denominator != null);
  const buurten = b.parts === 'buurt';
  const drill = buurten ? undefined : onArea;
  const counts = (v: YearValue | null | undefined): string =>
    (v?.numerator != null && v.denominator != null ? t('n_of_m', { n: fmt.int(v.numerator), m: fmt.int(v.denominator) }) : '–');
  const total = b.value ?? null;
  const out: Child[] = [
    h('p', { class: 'small muted', 'data-testid': 'bd-total' }, `${b.area.name ?? b.area.code} · ${b.year}: ${valueText(ind, total?.value)}`,
      total?.margin != null ? ` ± ${fmt.num(total.margin, 1)}` : '', total?.denominator != null ? ` (${counts(total)})` : ''),
  ];
  if (parts.length) {
    out.push(h('table', { class: 'data compact', 'data-testid': 'bd-wijken' },
      h('caption', {}, t(buurten ? 'bd_buurten' : 'bd_wijken')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t(buurten ? 'col_buurt' : 'col_wijk')), h('th', { scope: 'col', class: 'num' }, t('bd_value')),
        survey ? [h('th', { scope: 'col', class: 'num' }, t('bd_margin')), h('th', { scope: 'col', class: 'num' }, 'n')] : null,
        shares ? h('th', { scope: 'col', class: 'num' }, t('bd_counts')) : null)),
      h('tbody', {}, parts.map((w) => h('tr', { 'data-code': w.code },
        h('th', { scope: 'row' }, drill ? h('button', { type: 'button', class: 'link', onclick: () => drill(w.code) }, w.name) : w.name),
        w.suppressed // hidden for this viewer: "< 5"
          ? h('td', { class: 'num small-count', 'data-testid': 'bd-small', title: t('small_title') }, t('small_count'))
          : h('td', { class: 'num' }, valueText(ind, w.value?.value)),
        survey ? [h('td', { class: 'num' }, w.value?.margin != null ? `± ${fmt.num(w.value.margin, 1)}` : '–'), h('td', { class: 'num' }, fmt.int(w.value?.n))] : null,
        shares ? h('td', { class: 'num' }, counts(w.value)) : null)))));
  }
  // the rows behind the figure differ per indicator (survey results, counts per buurt, enforcement
  // per domain and outcome, initiatives, E33 reports): one column per field
  if (b.data.length) {
    const rows = b.data as Record<string, unknown>[];
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    out.push(h('table', { class: 'data compact', 'data-testid': 'bd-data' },
      h('caption', {}, t('bd_data')),
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c) => h('td', { class: typeof r[c] === 'number' ? 'num' : '' }, dataCell(c, r[c]))))))));
  }
  return out;
}
