// The scope choosers in the header (issue #11): the gemeente (a text box with the gemeenten of the
// boundary year as suggestions, and "Alle gemeenten"), when the data has more than one, and the
// boundary year (buurtindeling), when more than one is imported. A choice loads the dashboard for
// that scope (App.setScope): the URL keeps it (`gemeente=`, `indeling=`). A wijkregisseur's scope
// is their own wijken, so they get no chooser.
import type { App } from '../app';
import { h } from '../dom';
import { byName, t } from '../i18n';
import { chooseGemeente, chooseIndeling, gemeenteName, indelingLabel, matchGemeente, shownGemeente } from '../scope';

function gemeenteChooser(app: App): HTMLElement {
  const m = app.meta;
  const current = shownGemeente(m);
  const msg = h('span', { class: 'scope-msg small', id: 'gemeente-msg', role: 'status', 'aria-live': 'polite' });
  const input = h('input', {
    type: 'text', id: 'gemeente-input', list: 'gemeente-list', autocomplete: 'off', spellcheck: 'false', value: gemeenteName(m),
    'aria-describedby': 'gemeente-msg', title: t('gemeente_help'),
    // typing replaces the name shown; the suggestions then list the gemeenten that match
    onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
    onkeydown: (e: Event) => {
      if ((e as KeyboardEvent).key !== 'Escape') return;
      (e.target as HTMLInputElement).value = gemeenteName(m);
      msg.textContent = '';
    },
    onchange: (e: Event) => {
      const el = e.target as HTMLInputElement;
      const code = matchGemeente(m.gemeenten, el.value);
      if (code === null) { msg.textContent = t('gemeente_none', { q: el.value }); return; }
      msg.textContent = '';
      if (code === current) { el.value = gemeenteName(m); return; }
      app.setScope({ gemeente: code });
    },
  }) as HTMLInputElement;
  const names = [...m.gemeenten].sort((a, b) => byName(a.name, b.name));
  return h('div', { class: 'scope-field', 'data-testid': 'gemeente-chooser' },
    h('label', { for: 'gemeente-input', class: 'scope-label' }, t('gemeente_label')),
    input,
    h('datalist', { id: 'gemeente-list' },
      h('option', { value: t('all_gemeenten') }),
      names.map((g) => h('option', { value: g.name, label: g.code }))),
    msg);
}

function indelingChooser(app: App): HTMLElement {
  const m = app.meta;
  return h('div', { class: 'scope-field', 'data-testid': 'indeling-chooser' },
    h('label', { for: 'indeling-select', class: 'scope-label' }, t('indeling_label')),
    h('select', { id: 'indeling-select', onchange: (e: Event) => app.setScope({ indeling: Number((e.target as HTMLSelectElement).value) }) },
      m.boundary_years.map((y) => h('option', { value: y, selected: y === m.boundary_year }, indelingLabel(y)))));
}

/** The choosers the data and the role allow; null when there is nothing to choose. */
export function scopeControls(app: App): HTMLElement | null {
  if (app.access.wijken) return null;
  const gem = chooseGemeente(app.meta), ind = chooseIndeling(app.meta);
  if (!gem && !ind) return null;
  return h('div', { class: 'scope', role: 'group', 'aria-label': t('scope_group') },
    gem ? gemeenteChooser(app) : null,
    ind ? indelingChooser(app) : null);
}
