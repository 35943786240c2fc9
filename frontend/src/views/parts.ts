// Pieces more than one view shows: a buurt's name as a button that opens its panel, bar rows
// comparing areas, the headline figure tiles and the top-n buurten table.
import type { App } from '../app';
import type { AreaProps } from '../api';
import { h, type Child } from '../dom';
import { byRank, countClass, headline, summaryHeadline, type CountKind, type Headline } from '../figures';
import { fmt, t } from '../i18n';
import { estimatedLong, estimatedShort } from '../scope';
import { figureTile } from './buurt-panel';

export function buurtButton(app: App, p: AreaProps): HTMLElement {
  return h('button', { type: 'button', class: 'link', 'data-code': p.code, 'aria-pressed': String(app.state.buurt === p.code), onclick: () => app.selectBuurt(p.code, true) }, p.name);
}

export interface BarItem { code: string; label: Child; value: number | null; text: string; /** why there is no value: hidden for this viewer ("< 5") or withheld */ kind?: CountKind }

/** Horizontal bars, scaled to the largest value; `diverging` centres them on zero (blue down, red up). */
export function barRows(items: BarItem[], diverging: boolean): HTMLElement {
  const max = Math.max(1e-9, ...items.map((i) => Math.abs(i.value ?? 0)));
  return h('ul', { class: `bars cmp${diverging ? ' diverging' : ''}` }, items.map((i) => {
    const v = i.value;
    const w = v === null ? 0 : (Math.abs(v) / max) * (diverging ? 50 : 100);
    const style = diverging && v !== null ? (v < 0 ? `width:${w}%;margin-left:${50 - w}%;background:#2166ac` : `width:${w}%;margin-left:50%;background:#b2182b`) : `width:${w}%`;
    return h('li', { 'data-code': i.code },
      h('span', { class: 'bar-label' }, i.label),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: `bar${v === null ? (i.kind === 'small' ? ' bar-small' : i.kind === 'no_data' ? ' bar-nodata' : ' bar-withheld') : ''}`, style: v === null ? 'width:100%' : style })),
      h('span', { class: `bar-value ${i.kind ? countClass(i.kind) : ''}`.trim(), title: i.kind === 'small' ? t('small_title') : null }, i.text));
  }));
}

/**
 * The headline of the scope: the API's summary of the gemeente or of the wijk in scope (the
 * steering report's figures, indicator 3's enforcement share included), with the buurten's
 * statuses for the notes.
 */
export function scopeHeadline(app: App): Headline {
  const d = app.figures.data;
  const wijken = d?.wijken.areas ?? [];
  const hl = headline(app.scopedBuurten(), app.state.wijk, wijken);
  const summary = app.state.wijk ? d?.wijken.wijk_summaries.find((s) => s.code === app.state.wijk) : d?.buurten.summary;
  return summaryHeadline(hl, summary);
}

/** Why the scope has no enforcement share: no actions in the data at all, or none in the period. */
export const enforcementNone = (app: App): string => (app.meta.counts.enforcement === 0 ? t('enf_none_file') : t('enf_none_period'));

/**
 * The headline tiles; the enforcement share when there is one for this role (see scopeHeadline).
 * `enfNone`: the sentence for a share without any counted action (see enforcementNone).
 */
export function headlineTiles(hl: Headline, enfNone: string, scope: string): HTMLElement {
  // no buurt with a count and no summary count: no figure at all, never 0
  const none = !hl.fromSummary && !hl.fromWijken && hl.counted === 0;
  const notes = [hl.estimated ? estimatedShort(hl.estimated) : '', hl.withheld ? t('head_withheld', { n: hl.withheld }) : '', hl.noData ? t('head_no_data', { n: hl.noData }) : '', hl.withheldCells ? t('fig_withheld_cells', { n: hl.withheldCells }) : '',
    hl.small ? t('head_small', { n: hl.small }) : '', hl.fromWijken ? t('head_from_wijken') : ''].filter(Boolean).join(' · ');
  const tiles = h('div', { class: 'tiles headline', 'data-testid': 'headline' },
    none ? figureTile(t('head_total'), t('no_data'), t('head_none', { g: scope }), 'head-total')
      : figureTile(t('head_total'), fmt.int(hl.total), notes || null, 'head-total'),
    figureTile(t('head_change'), fmt.pct(hl.change), hl.prev !== null ? `${t('col_prev')}: ${fmt.int(hl.prev)}` : t('head_no_prev'), 'head-change'),
    figureTile(t('head_rate'), fmt.dec(hl.rate), null, 'head-rate'),
    hl.enfSmall
      ? figureTile(t('head_enf'), t('small_count'), t('small_title'), 'head-enf')
      : figureTile(t('head_enf'), hl.enfAll ? fmt.pct((hl.enfFree / hl.enfAll) * 100).replace(/^\+/, '') : '–', hl.enfAll ? t('head_enf_of', { n: fmt.int(hl.enfFree), m: fmt.int(hl.enfAll) }) : enfNone, 'head-enf'));
  // the figures carried from another boundary year, and how (issue #11)
  return hl.estimated ? h('div', { class: 'headline-wrap' }, tiles, h('p', { class: 'small muted estimated-note', 'data-testid': 'head-estimated' }, estimatedLong(hl.estimated))) : tiles;
}

/** The `n` buurten in scope with the most incidents; a sentence instead when none has figures. */
export function topTable(app: App, n: number, caption: string, testid: string, withWijk = true): HTMLElement {
  const rows = app.scopedBuurten().filter((p) => p.count != null).sort(byRank).slice(0, n);
  if (!rows.length) return h('p', { class: 'small muted empty-note', 'data-testid': testid }, t('empty_buurten'));
  return h('table', { class: 'data compact', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('col_buurt')), withWijk ? h('th', { scope: 'col' }, t('col_wijk')) : null,
      h('th', { scope: 'col', class: 'num' }, t('col_count')), h('th', { scope: 'col', class: 'num' }, t('col_rate')), h('th', { scope: 'col', class: 'num' }, t('col_change')))),
    h('tbody', {}, rows.map((p, i) => h('tr', { 'data-code': p.code },
      h('td', { class: 'num' }, i + 1), h('th', { scope: 'row' }, buurtButton(app, p)), withWijk ? h('td', {}, p.parent_name ?? '') : null,
      h('td', { class: 'num' }, fmt.int(p.count)), h('td', { class: 'num' }, fmt.dec(p.rate_per_1000)), h('td', { class: 'num' }, fmt.pct(p.change_pct))))));
}
