// The Indicatoren view: the programme's indicator cards for the gemeente or one wijk (the wijk in
// scope is the indicator area), with the data behind each figure, and target and baseline editing
// for the roles that may change them.
import type { App } from '../app';
import { wijkSelect } from '../controls/wijk';
import { h, type Child } from '../dom';
import { t } from '../i18n';
import { gemeenteName } from '../scope';
import { statusNote } from '../load';
import { indicatorCard } from './indicator-card';
import { reportHref } from './report';

export function indicatorenView(app: App): Child[] {
  const area = app.state.wijk;
  const gemeente = app.indicatorGemeente();
  const slot = app.indicators;
  const inds = slot.data;
  // all gemeenten together have no indicators (targets are set per gemeente)
  if (!area && !gemeente) return [h('h2', {}, t('ind_title')), h('p', { class: 'small muted empty-note', 'data-testid': 'ind-pick-gemeente' }, t('ind_pick_gemeente'))];
  return [
    h('div', { class: 'view-head' },
      h('h2', {}, t('ind_title')),
      app.access.can.report ? h('a', { class: 'btn btn-primary', id: 'open-report', href: reportHref(app.meta, app.state) }, t('rap_open')) : null),
    h('div', { class: 'field ind-area' }, h('label', { for: 'ind-area' }, t('ind_area')),
      wijkSelect(app, 'ind-area', `${t('all_wijken')} (${gemeenteName(app.meta)})`)),
    statusNote(slot, inds && !inds.length ? t('empty_indicators') : null),
    inds?.length && slot.status === 'ready' ? h('div', { class: 'ind-grid', 'data-testid': 'indicators' }, [...inds].sort((a, b) => a.number - b.number).map((i) => indicatorCard(i, {
      editable: true, targets: app.access.can.editTargets, baselines: app.access.can.editBaselines, area, gemeente,
      onUpdate: (u) => { if (slot.data) slot.data = slot.data.map((x) => (x.key === u.key ? u : x)); },
      onArea: (code) => app.setWijk(code),
    }))) : null,
  ];
}
