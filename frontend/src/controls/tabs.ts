// The view tabs (Wijk, Planning, Stuurgroep, Indicatoren) in the header: a WAI-ARIA tablist,
// operable with the arrow keys, Home and End. Switching a tab is `App.setView`. Only the views
// the role may see have a tab (access.ts).
import type { App } from '../app';
import { $, h } from '../dom';
import { t, type Key } from '../i18n';
import type { View } from '../state';

export function viewTabs(app: App): HTMLElement {
  const tabs: View[] = app.access.views;
  const n = tabs.length;
  const current = app.state.view;
  return h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('views') },
    tabs.map((v) => h('button', {
      role: 'tab', type: 'button', id: `tab-${v}`, 'aria-controls': 'viewpanel', 'aria-selected': String(current === v),
      tabindex: current === v ? 0 : -1, class: 'tab', 'data-view': v, onclick: () => app.setView(v),
      onkeydown: (e: Event) => {
        const k = (e as KeyboardEvent).key;
        const i = tabs.indexOf(v);
        const next = k === 'ArrowRight' ? tabs[(i + 1) % n] : k === 'ArrowLeft' ? tabs[(i + n - 1) % n] : k === 'Home' ? tabs[0] : k === 'End' ? tabs[n - 1] : null;
        if (next) { e.preventDefault(); app.setView(next); $(`#tab-${next}`).focus(); }
      },
    }, t(`view_${v}` as Key))));
}

/** Marks the tab of view `v` as the selected one. */
export function syncTabs(v: View): void {
  document.querySelectorAll<HTMLButtonElement>('[role=tab]').forEach((b) => {
    const on = b.dataset.view === v;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  });
}
