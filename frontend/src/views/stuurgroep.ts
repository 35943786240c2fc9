// The Stuurgroep view: the headline figures of the scope and period, the ten buurten with the most
// incidents, and the way out to print (one A4 page, views/print.ts) or to the steering report.
import type { App } from '../app';
import { h, type Child } from '../dom';
import { t } from '../i18n';
import { enforcementNone, headlineTiles, scopeHeadline, topTable } from './parts';
import { reportHref } from './report';

export function stuurgroepView(app: App): Child[] {
  const report = app.access.can.report;
  return [
    h('div', { class: 'view-head' },
      h('h2', {}, t('stuur_title')),
      report ? h('div', { class: 'btn-row' },
        h('button', { type: 'button', class: 'btn btn-primary', id: 'print', 'aria-label': t('print_label'), onclick: () => app.print() }, t('print')),
        h('a', { class: 'btn', id: 'open-report', href: reportHref(app.meta, app.state) }, t('rap_open'))) : null),
    headlineTiles(scopeHeadline(app), enforcementNone(app), app.scopeLabel()),
    topTable(app, 10, t('top10'), 'top10', false),
  ];
}
