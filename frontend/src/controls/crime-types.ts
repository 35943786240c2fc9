// The crime-type filter: the CBS crime-type tree as nested checkboxes in a disclosure. Choosing a
// type drops its chosen descendants (the parent covers them); "all offences" is `0.0.0`. Only the
// types the offence figures or the incidents hold are offered (/api/crime-types `offences`,
// `incidents`), and those held by incidents only say so; a chosen type the offence figures lack
// has a sentence saying why the buurten are grey (figures.ts typesWithoutOffences).
import type { App } from '../app';
import type { CrimeType } from '../api';
import { h } from '../dom';
import { typesWithoutOffences } from '../figures';
import { t } from '../i18n';

export function typeFilter(app: App): HTMLElement {
  const s = app.state;
  const selected = new Set(s.types);
  // what the data holds, and what is chosen (a link may name a type the data lacks: it can be unticked)
  const all = app.crimeTypes.filter((c) => c.offences || c.incidents || selected.has(c.code) || s.types.some((x) => x.startsWith(`${c.code}.`)));
  const children = (p: string | null) => all.filter((c) => c.parent === p && c.code !== '0.0.0');
  const ancestorSelected = (code: string): boolean => {
    let p = all.find((c) => c.code === code)?.parent ?? null;
    while (p) { if (selected.has(p)) return true; p = all.find((c) => c.code === p)?.parent ?? null; }
    return false;
  };
  const onToggle = (code: string, on: boolean): void => {
    let next = s.types.filter((c) => c !== '0.0.0');
    if (code === '0.0.0') next = [];
    else if (on) next = [...next.filter((c) => !c.startsWith(`${code}.`)), code];
    else next = next.filter((c) => c !== code);
    app.setTypes(next);
  };
  const node = (c: CrimeType): HTMLElement => {
    const kids = children(c.code);
    const inherited = ancestorSelected(c.code);
    return h('li', {},
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', value: c.code, checked: selected.has(c.code) || inherited, disabled: inherited, onchange: (e: Event) => onToggle(c.code, (e.target as HTMLInputElement).checked) }),
        ` ${c.title}`, h('span', { class: 'code' }, ` ${c.code}`),
        c.incidents && !c.offences ? h('span', { class: 'small muted', 'data-testid': 'type-incidents-only' }, ` (${t('type_incidents_only')})`) : null),
      kids.length ? h('ul', {}, kids.map(node)) : null);
  };
  const roots = all.filter((c) => c.parent == null && c.code !== '0.0.0');
  const why = typesWithoutOffences(app.crimeTypes, s.types, app.meta.counts.incidents > 0);
  const summary = s.types.length === 1 && s.types[0] === '0.0.0' ? t('all_types') : s.types.length === 1 ? app.typeTitle(s.types[0] as string) : t('n_types', { n: s.types.length });
  return h('details', { class: 'ctl typefilter', id: 'typefilter' },
    h('summary', {}, h('span', { class: 'ctl-label' }, t('crime_types')), h('span', { class: 'summary-value' }, summary)),
    h('fieldset', {},
      h('legend', { class: 'sr-only' }, t('crime_types')),
      h('ul', { class: 'tree' },
        h('li', {}, h('label', { class: 'check' }, h('input', { type: 'checkbox', value: '0.0.0', checked: s.types.includes('0.0.0'), onchange: () => onToggle('0.0.0', true) }), ` ${t('all_types')}`)),
        roots.map(node)),
      // nothing to choose but the total (CBS 47018NED per buurt), or chosen types without figures
      roots.length || why ? null : h('p', { class: 'small muted', 'data-testid': 'types-total-only' }, t('by_type_total_only')),
      why ? h('p', { class: 'small muted', 'data-testid': 'types-why' }, why) : null));
}

/** Rebuilds the tree for the state's types, keeping it open and the focus where it was. */
export function rebuildTypeFilter(app: App): void {
  const old = document.getElementById('typefilter') as HTMLDetailsElement | null;
  if (!old) return;
  const open = old.open;
  const focusedCode = (document.activeElement as HTMLInputElement | null)?.value;
  const fresh = typeFilter(app) as HTMLDetailsElement;
  fresh.open = open;
  old.replaceWith(fresh);
  if (focusedCode) fresh.querySelector<HTMLInputElement>(`input[value="${focusedCode}"]`)?.focus();
}
