// The wijk selector: the whole gemeente or one wijk, which scopes the table, the views and the
// headline figures, and zooms the map. The Indicatoren view uses the same select for its area.
// A wijkregisseur's select holds only their own wijken (and not the whole gemeente).
import type { App } from '../app';
import { h } from '../dom';
import { byName, t } from '../i18n';

/** A select of the wijken by name, with the whole gemeente first (when the role's scope is the whole gemeente). */
export function wijkSelect(app: App, id: string, allLabel: string): HTMLSelectElement {
  return h('select', { id, onchange: (e: Event) => app.setWijk((e.target as HTMLSelectElement).value || null) },
    app.access.wijken ? null : h('option', { value: '' }, allLabel),
    [...app.scopeWijken()].sort((a, b) => byName(a.name, b.name)).map((w) => h('option', { value: w.code, selected: app.state.wijk === w.code }, w.name)));
}

export function wijkControl(app: App): HTMLElement {
  return h('div', { class: 'ctl' },
    h('label', { for: 'wijk-select', class: 'ctl-label' }, app.access.wijken ? t('wijk_own') : t('wijk')),
    wijkSelect(app, 'wijk-select', app.meta.all_gemeenten ? t('all_gemeenten') : t('all_wijken')));
}

export function syncWijkSelect(code: string | null): void {
  const sel = document.getElementById('wijk-select') as HTMLSelectElement | null;
  if (sel) sel.value = code ?? '';
}
