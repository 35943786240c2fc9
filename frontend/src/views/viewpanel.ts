// The view panel beside the map: the selected buurt's panel when a buurt is selected, otherwise
// the current view (Wijk, Planning, Stuurgroep or Indicatoren) under a line naming scope and period.
import type { App } from '../app';
import { clear, h, type Child } from '../dom';
import { fmt, t } from '../i18n';
import { statusNote } from '../load';
import { renderPanel } from './buurt-panel';
import { indicatorenView } from './indicatoren';
import { planningView } from './planning';
import { stuurgroepView } from './stuurgroep';
import { wijkView } from './wijk';

export function renderViewPanel(app: App, focusPanel = false): void {
  const vp = document.getElementById('viewpanel');
  if (!vp) return;
  const s = app.state;
  const closePanel = (): void => {
    const code = s.buurt;
    app.selectBuurt(null);
    document.querySelector<HTMLElement>(`#buurt-table button[data-code="${code}"]`)?.focus();
  };
  const det = app.detail;
  if (s.buurt && det.status === 'ready' && det.data?.code === s.buurt) {
    clear(vp, renderPanel(det.data, s, app.typesLabel(), closePanel, app.yearlyTrend(), app.meta.counts));
    if (focusPanel) vp.querySelector<HTMLElement>('#panel-title')?.focus({ preventScroll: true });
    return;
  }
  if (s.buurt && det.status === 'error') {
    clear(vp, h('div', { class: 'buurt-panel', role: 'region', 'aria-label': s.buurt },
      h('div', { class: 'panel-head' }, h('h2', {}, s.buurt),
        h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('close'), title: t('close'), onclick: closePanel }, '×')),
      statusNote(det)));
    return;
  }
  if (!app.figures.data) { clear(vp, h('div', { class: 'view' }, statusNote(app.figures))); return; }
  const content: Child[] = s.view === 'wijk' ? wijkView(app) : s.view === 'planning' ? planningView(app) : s.view === 'indicatoren' ? indicatorenView(app) : stuurgroepView(app);
  clear(vp, h('div', { class: 'view', 'data-testid': `view-${s.view}` },
    h('p', { class: 'eyebrow' }, `${app.scopeLabel()} · ${fmt.period(s.from, s.to)}`), ...content,
    h('p', { class: 'hint small muted' }, t('select_buurt_hint'))));
}
