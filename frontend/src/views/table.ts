// The buurt table under the map: every buurt in scope with its figures, ranked by count. The
// accessible twin of the choropleth, and the keyboard's way to open a buurt's panel.
import type { App } from '../app';
import type { AreaProps } from '../api';
import { h } from '../dom';
import { byRank, countClass, countKind, countText, type DataStatus } from '../figures';
import { fmt, t } from '../i18n';
import { statusNote } from '../load';
import { estimatedLong, estimatedShort } from '../scope';
import { rankText } from './buurt-panel';
import { buurtButton } from './parts';

/** A table cell with a count: the number, "< 5" (hidden for this viewer) or withheld, each with its class. */
export function countCell(count: number | null | undefined, suppressed: boolean | null | undefined, col: string, status?: DataStatus): HTMLElement {
  const k = countKind(count, suppressed, status);
  return h('td', { class: `num ${countClass(k)}`.trim(), 'data-col': col, title: k === 'small' ? t('small_title') : null }, countText(count, suppressed, status));
}

/**
 * A count carried from another boundary year (issue #11): "≈" before it, "geschat (…)" for a
 * screen reader, and the method in words as its tooltip.
 */
function estimatedCell(td: HTMLElement, m: AreaProps['estimated']): HTMLElement {
  if (!m) return td;
  td.title = estimatedLong(m);
  td.dataset.estimated = m;
  td.prepend(h('span', { class: 'est-mark', 'aria-hidden': 'true' }, '≈ '));
  td.append(h('span', { class: 'sr-only' }, `, ${estimatedShort(m)}`));
  return td;
}

/**
 * How many rows the table shows at first. A scope of every gemeente has thousands of buurten
 * (10,416 in the national set): a table of all of them takes the page seconds to lay out, and
 * the map waits for it; the rest come with a button.
 */
export const TABLE_ROWS = 1000;
/** the figures whose table shows every row (the button was pressed) */
let allRowsOf: unknown = null;

export function renderTable(app: App): void {
  const el = document.getElementById('buurt-table');
  if (!el) return;
  const s = app.state;
  if (!app.figures.data) { el.replaceChildren(...[statusNote(app.figures)].filter((x): x is HTMLElement => x !== null)); return; }
  const ranked = app.scopedBuurten().sort(byRank);
  if (!ranked.length) { el.replaceChildren(h('p', { class: 'small muted empty-note' }, t('empty_buurten'))); return; }
  const capped = ranked.length > TABLE_ROWS && allRowsOf !== app.figures.data;
  const rows = capped ? ranked.slice(0, TABLE_ROWS) : ranked;
  const total = fmt.int(ranked.length);
  el.replaceChildren(...(capped ? [h('p', { class: 'small muted', 'data-testid': 'table-capped' }, t('table_capped', { n: fmt.int(TABLE_ROWS), total }), ' ',
    h('button', { type: 'button', class: 'link', onclick: () => { allRowsOf = app.figures.data; renderTable(app); } }, t('table_all', { total })))] : []),
  h('table', { class: 'data', 'data-testid': 'buurt-table' },
    h('caption', {}, t('table_caption', { scope: app.scopeLabel(), period: fmt.period(s.from, s.to), types: app.typesLabel() })),
    h('thead', {}, h('tr', {},
      [t('col_buurt'), t('col_wijk'), t('col_pop'), t('col_count'), t('col_rate'), t('col_prev'), t('col_change'), t('col_rank')].map((c, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : '' }, c)))),
    h('tbody', {}, rows.map((p) => h('tr', { 'data-code': p.code, class: s.buurt === p.code ? 'selected' : '' },
      h('th', { scope: 'row' }, buurtButton(app, p), h('span', { class: 'code' }, ` ${p.code}`)),
      h('td', {}, p.parent_name ?? ''),
      h('td', { class: 'num' }, fmt.int(p.population)),
      estimatedCell(countCell(p.count, p.suppressed, 'count', p.status), p.estimated),
      h('td', { class: 'num' }, fmt.dec(p.rate_per_1000)),
      // a missing previous count says why when the API does ("< 5", no data, withheld)
      p.previous_count == null && (p.previous_suppressed || p.previous_status) ? countCell(null, p.previous_suppressed, 'prev', p.previous_status) : h('td', { class: 'num', 'data-col': 'prev' }, fmt.int(p.previous_count)),
      h('td', { class: 'num' }, fmt.pct(p.change_pct)),
      h('td', { class: 'num' }, rankText(p.rank, p.rank_of)))))));
}
