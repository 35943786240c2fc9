// The page around the views: header (brand, view tabs, who is signed in, language switch), the
// demo banner (with the demo's role switch), the
// sidebar with the controls and the legend, the map with the buurt table under it, the view panel,
// and the (hidden) print report. Built again as a whole when the language changes.
import type { App } from '../app';
import { accountBox, demoRoleSwitch } from '../controls/account';
import { typeFilter } from '../controls/crime-types';
import { langSwitch } from '../controls/lang';
import { layerControl } from '../controls/layers';
import { metricControl } from '../controls/metric';
import { periodControl } from '../controls/period';
import { searchControl } from '../controls/search';
import { viewTabs } from '../controls/tabs';
import { scopeControls } from '../controls/scope';
import { wijkControl } from '../controls/wijk';
import { $, clear, h } from '../dom';
import { t } from '../i18n';
import { scopeTitle } from '../scope';
import { logo } from './logo';
import { markPrintStale } from './print';

export function buildShell(app: App): void {
  const { meta, state } = app;
  const title = scopeTitle(meta);
  document.title = `wijkveilig · ${title}`;
  clear($('#app'),
    h('header', { class: 'topbar' },
      h('div', { class: 'brand' },
        logo(),
        h('div', {},
          h('div', { class: 'brand-name', 'data-testid': 'brand-name' }, h('span', { class: 'wordmark' }, 'wijkveilig'), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), title),
          h('div', { class: 'brand-sub' }, meta.all_gemeenten ? t('programme_all', { n: meta.gemeenten.length }) : t('programme', { g: meta.gemeente.name })))),
      scopeControls(app),
      viewTabs(app),
      accountBox(app),
      langSwitch(app)),
    meta.demo ? h('div', { class: 'demo-banner', 'data-testid': 'demo-banner' },
      h('p', { role: 'note' }, h('strong', {}, t('demo_banner')), meta.demo_notice ? h('span', {}, ` — ${meta.demo_notice}`) : null),
      demoRoleSwitch(app)) : null,
    h('div', { class: 'layout', 'data-view': state.view },
      h('aside', { class: 'sidebar', 'aria-label': t('controls') },
        periodControl(app),
        typeFilter(app),
        metricControl(app),
        wijkControl(app),
        searchControl(app),
        layerControl(app),
        h('section', { class: 'ctl legend', 'aria-labelledby': 'legend-title' }, h('h2', { id: 'legend-title', class: 'ctl-label' }, t('legend')), h('div', { id: 'legend' }))),
      h('main', { id: 'main', class: 'main', tabindex: -1 },
        h('div', { class: 'map-wrap' }, app.mapEl, h('div', { class: 'map-status', role: 'status', 'aria-live': 'polite', id: 'map-status' }),
          // what the map does not show, and why (views/map-notes.ts)
          h('ul', { class: 'map-notes', id: 'map-notes', 'aria-label': t('map_notes'), 'data-testid': 'map-notes', hidden: true })),
        h('section', { class: 'table-section', 'aria-labelledby': 'table-title' },
          h('h2', { id: 'table-title' }, t('table_title')),
          h('p', { class: 'muted small' }, t('table_hint')),
          h('div', { id: 'buurt-table', class: 'table-wrap' }))),
      h('aside', { id: 'viewpanel', class: 'viewpanel', role: 'tabpanel', 'aria-labelledby': `tab-${state.view}`, 'data-view': state.view })),
    h('section', { id: 'report', class: 'report', 'aria-hidden': 'true' }));
  markPrintStale();
}
