// Who is signed in, in the header: the account and its role with a sign-out button, or, in the
// built-in demo without an account, a "Demo" badge with the role shown and a way to sign in with
// an account. The demo's role switch ("Demo: bekijk als …") sits in the demo banner.
import type { App } from '../app';
import { api, apiStatus, type Role } from '../api';
import { roleKey, roleNeutralSearch, ROLES } from '../access';
import { rememberSignedIn } from '../boot';
import { h } from '../dom';
import { t } from '../i18n';
import { errorText } from '../load';

/** Loads the dashboard again for a new role: same period, crime types and language; the role's own view. */
function reloadForRole(): void {
  location.assign(`${location.pathname}${roleNeutralSearch(location.search)}`);
}

export function accountBox(app: App): HTMLElement {
  const s = app.access.session;
  const role = t(roleKey(s.role));
  if (s.demo) {
    return h('div', { class: 'account', role: 'group', 'aria-label': t('account_label') },
      h('span', { class: 'account-who', 'data-testid': 'account', title: t('demo_visitor_title') },
        h('span', { class: 'badge badge-demo' }, t('demo_visitor')), ` ${role}`),
      h('a', { class: 'btn btn-small', id: 'sign-in', href: `${location.pathname}${roleNeutralSearch(location.search)}#/inloggen` }, t('sign_in_link')));
  }
  const signOut = async (e: Event): Promise<void> => {
    const b = e.currentTarget as HTMLButtonElement;
    b.disabled = true;
    try {
      await api.signOut();
    } catch (err) {
      // already signed out (401) is what was asked for; anything else is said
      if (apiStatus(err) !== 401) { b.disabled = false; b.title = errorText(err); return; }
    }
    rememberSignedIn(false);
    reloadForRole();
  };
  return h('div', { class: 'account', role: 'group', 'aria-label': t('account_label') },
    h('span', { class: 'account-who', 'data-testid': 'account' },
      h('span', { class: 'sr-only' }, `${t('signed_in_as')} `),
      h('strong', {}, s.username), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', { 'data-testid': 'account-role' }, role)),
    h('button', { type: 'button', class: 'btn btn-small', id: 'sign-out', onclick: (e: Event) => void signOut(e) }, t('sign_out')));
}

/** The demo's role switch, for the demo visitor (no account): the server keeps the role in the session. */
export function demoRoleSwitch(app: App): HTMLElement | null {
  const s = app.access.session;
  if (!s.demo) return null;
  const msg = h('span', { class: 'small', role: 'status', id: 'demo-role-msg' });
  return h('div', { class: 'demo-role' },
    h('label', { for: 'demo-role' }, t('demo_role_label')),
    h('select', {
      id: 'demo-role',
      onchange: async (e: Event) => {
        const sel = e.target as HTMLSelectElement;
        sel.disabled = true;
        try {
          await api.demoRole(sel.value as Role);
          reloadForRole();
        } catch (err) {
          sel.disabled = false;
          sel.value = s.role;
          msg.textContent = errorText(err);
        }
      },
    }, ROLES.map((r) => h('option', { value: r, selected: r === s.role }, t(roleKey(r))))),
    msg);
}
