// The Wijk view: without a wijk in scope, the wijken compared on the map value; with one, its
// figures and its buurten compared side by side.
import type { App } from '../app';
import { h, type Child } from '../dom';
import { areaCountKind, countText, metricCell, metricSuppressed, metricValue } from '../figures';
import { fmt, t } from '../i18n';
import { figureTile, rankText } from './buurt-panel';
import { barRows, buurtButton } from './parts';

/** At most this many wijken in the comparison (a scope of every gemeente has thousands). */
const WIJK_BARS = 60;

export function wijkView(app: App): Child[] {
  const s = app.state;
  const m = s.metric;
  const d = app.figures.data;
  const desc = (a: number | null, b: number | null): number => (b ?? -Infinity) - (a ?? -Infinity);
  if (!s.wijk) {
    const all = [...(d?.wijken.areas ?? [])].sort((a, b) => desc(metricValue(a, m), metricValue(b, m)));
    // every gemeente: thousands of wijken; the bars show the highest
    const ws = all.slice(0, WIJK_BARS);
    return [
      h('h2', {}, `${t('view_wijk')}: ${app.metricLabel()}`),
      h('p', { class: 'muted small' }, t('wijk_pick')),
      all.length > ws.length ? h('p', { class: 'muted small', 'data-testid': 'wijken-capped' }, t('wijken_capped', { n: fmt.int(ws.length), total: fmt.int(all.length) })) : null,
      ws.length ? barRows(ws.map((w) => ({
        code: w.code, label: h('button', { type: 'button', class: 'link', onclick: () => app.setWijk(w.code) }, w.name),
        value: metricValue(w, m), text: metricCell(w, m), kind: metricSuppressed(w, m) ? 'small' : areaCountKind(w),
      })), m === 'change') : h('p', { class: 'small muted empty-note', 'data-testid': 'wijken-empty' }, app.meta.counts.wijken === 0 ? t('wijken_none_file', { g: app.scopeLabel() }) : t('empty_wijken')),
    ];
  }
  const w = d?.wijken.areas.find((p) => p.code === s.wijk);
  const bs = app.scopedBuurten().sort((a, b) => desc(metricValue(a, m), metricValue(b, m)));
  return [
    h('h2', {}, `${t('wijk')} ${app.wijkName(s.wijk)}`),
    w ? h('div', { class: 'tiles' },
      figureTile(t('fig_count'), countText(w.count, w.suppressed, w.status), w.withheld ? t('fig_withheld_cells', { n: w.withheld }) : null, 'wijk-count'),
      figureTile(t('fig_rate'), fmt.dec(w.rate_per_1000)),
      figureTile(t('fig_change'), fmt.pct(w.change_pct)),
      figureTile(t('col_rank'), rankText(w.rank, w.rank_of))) : null,
    h('h3', {}, `${t('wijk_title')}: ${app.metricLabel()}`),
    bs.length ? barRows(bs.map((b) => ({
      code: b.code, label: buurtButton(app, b), value: b.count == null ? null : metricValue(b, m), text: metricCell(b, m), kind: metricSuppressed(b, m) ? 'small' : areaCountKind(b),
    })), m === 'change') : h('p', { class: 'small muted empty-note' }, t('empty_buurten')),
  ];
}
