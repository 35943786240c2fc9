// Find a buurt by name or code (with suggestions from the loaded buurten); a hit opens its panel
// and zooms the map to it, leaving a wijk scope that does not contain it.
import type { App } from '../app';
import { $, h } from '../dom';
import { t } from '../i18n';

export function searchControl(app: App): HTMLElement {
  const onSearch = (e: Event): void => {
    e.preventDefault();
    const input = $('#search') as HTMLInputElement;
    const q = input.value.trim().toLowerCase();
    if (!q) return;
    const all = app.buurten();
    const hit = all.find((p) => p.code.toLowerCase() === q || `${p.name} (${p.code})`.toLowerCase() === q)
      ?? all.find((p) => p.name.toLowerCase() === q)
      ?? all.find((p) => p.name.toLowerCase().includes(q) || p.code.toLowerCase().includes(q));
    $('#search-msg').textContent = hit ? '' : t('search_none', { q: input.value });
    if (hit) {
      // a wijkregisseur's scope moves to the hit's wijk (their buurten are all they have)
      if (app.state.wijk && hit.parent_code !== app.state.wijk) app.setWijk(app.access.wijken ? hit.parent_code ?? null : null);
      app.selectBuurt(hit.code, true);
    }
  };
  return h('form', { class: 'ctl', role: 'search', onsubmit: onSearch },
    h('label', { for: 'search', class: 'ctl-label' }, t('search')),
    h('div', { class: 'search-row' },
      h('input', { type: 'search', id: 'search', list: 'buurt-list', autocomplete: 'off' }),
      h('button', { type: 'submit', class: 'btn btn-small' }, t('search_btn'))),
    h('datalist', { id: 'buurt-list' }),
    h('p', { id: 'search-msg', class: 'small muted', role: 'status', 'aria-live': 'polite' }));
}
