// The sign-in page: shown when nobody is signed in (GET /api/session answers 401), when a
// request answers 401 because the session has ended (in place: the URL, which holds the view's
// state, stays as it is, and signing in loads that same URL again), and in the demo at
// `#/inloggen`. Dutch by default, English through the language switch (the URL's `lang=`).
// The form's errors are announced (role=alert) and the focus goes to the field to correct.
import { api, apiStatus } from '../api';
import { rememberSignedIn } from '../boot';
import { clear, h } from '../dom';
import { logo } from './logo';
import { getLang, setLang, t } from '../i18n';
import type { Lang } from '../state';

export interface SignInOptions {
  /** the session ended while the dashboard was open */
  expired?: boolean;
  /** the built-in demo: anyone can look without an account (a way back to it is offered) */
  demo?: boolean;
}

/** Is this the demo's sign-in route? */
export const isSignInHash = (hash: string): boolean => /^#\/inloggen\b/.test(hash);

/**
 * The URL to load after signing in (or to go back to the demo): this page as it is, the state in
 * its query and (on the steering report page) its hash, without the demo's sign-in route.
 */
export const afterSignInUrl = (): string => `${location.pathname}${location.search}${isSignInHash(location.hash) ? '' : location.hash}`;

/** The minutes the server names in a throttled answer ("try again in 15 minutes"), else 15. */
export function throttleMinutes(message: string): number {
  const m = /(\d+)\s*min/.exec(message);
  return m ? Number(m[1]) : 15;
}

/** The sentence for a failed sign-in. */
export function signInError(err: unknown): string {
  const status = apiStatus(err);
  if (status === 401) return t('signin_refused');
  if (status === 429) return t('signin_throttled', { n: throttleMinutes((err as Error).message) });
  if (status !== null) return t('signin_failed', { m: (err as Error).message });
  if (err instanceof TypeError) return t('err_network');
  return t('signin_failed', { m: err instanceof Error ? err.message : String(err) });
}

function setUrlLang(l: Lang): void {
  const u = new URL(location.href);
  u.searchParams.set('lang', l);
  history.replaceState(null, '', `${u.pathname}${u.search.replaceAll('%2C', ',')}${u.hash}`);
}

export function showSignIn(opts: SignInOptions = {}): void {
  const app = document.getElementById('app');
  if (!app) return;
  document.title = `${t('signin_title')} · wijkveilig`;
  document.body.dataset.signin = 'true';
  const values = { user: (document.getElementById('signin-user') as HTMLInputElement | null)?.value ?? '' };
  // always in the page (empty until there is something to say), so that it is announced when it fills
  const error = h('div', { id: 'signin-error', class: 'signin-error', role: 'alert' });
  const user = h('input', { id: 'signin-user', name: 'username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: false, value: values.user, 'aria-describedby': 'signin-error' });
  const pass = h('input', { id: 'signin-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'signin-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'signin-submit' }, t('signin_submit'));
  const fail = (msg: string, field: HTMLInputElement | null): void => {
    error.textContent = msg;
    for (const f of [user, pass]) f.removeAttribute('aria-invalid');
    if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
  };
  const onSubmit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const name = user.value.trim();
    if (!name) { fail(t('signin_need_user'), user); return; }
    if (!pass.value) { fail(t('signin_need_pass'), pass); return; }
    submit.disabled = true;
    submit.textContent = t('signin_busy');
    try {
      await api.signIn(name, pass.value);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = t('signin_submit');
      pass.value = '';
      const refused = apiStatus(err) === 401;
      fail(signInError(err), refused ? pass : null);
      return;
    }
    rememberSignedIn(true);
    // the same URL again (without the demo's sign-in route): the dashboard as it was
    history.replaceState(null, '', afterSignInUrl());
    location.reload();
  };
  const toggleLang = (): void => {
    const l: Lang = getLang() === 'nl' ? 'en' : 'nl';
    setLang(l);
    setUrlLang(l);
    showSignIn(opts);
    document.getElementById('signin-lang')?.focus();
  };
  clear(app,
    h('div', { class: 'signin-page' },
      h('header', { class: 'topbar' },
        h('div', { class: 'brand' },
          logo(),
          h('div', {},
            h('div', { class: 'brand-name' }, h('span', { class: 'wordmark' }, 'wijkveilig')),
            h('div', { class: 'brand-sub' }, t('app_name_sub')))),
        h('button', { type: 'button', id: 'signin-lang', class: 'btn btn-ghost lang', lang: getLang() === 'nl' ? 'en' : 'nl', 'aria-label': t('lang_switch_label'), onclick: toggleLang }, t('lang_switch'))),
      opts.demo ? h('div', { class: 'demo-banner', role: 'note' }, h('strong', {}, t('demo_banner'))) : null,
      h('main', { id: 'main', class: 'signin-main', tabindex: -1 },
        h('form', { class: 'signin-card', id: 'signin-form', 'aria-labelledby': 'signin-title', novalidate: true, onsubmit: (e: Event) => void onSubmit(e) },
          h('h1', { id: 'signin-title' }, t('signin_title')),
          opts.expired ? h('p', { class: 'signin-note', role: 'status', 'data-testid': 'signin-expired' }, t('signin_expired')) : null,
          h('p', { class: 'muted' }, t('signin_intro')),
          opts.demo ? h('p', { class: 'small muted' }, t('signin_demo_note')) : null,
          error,
          h('div', { class: 'field' }, h('label', { for: 'signin-user' }, t('signin_user')), user),
          h('div', { class: 'field' }, h('label', { for: 'signin-pass' }, t('signin_pass')), pass),
          h('div', { class: 'btn-row' },
            submit,
            opts.demo ? h('a', { class: 'btn btn-ghost', href: afterSignInUrl(), id: 'signin-back' }, t('signin_back_demo')) : null),
          // single sign-on with the municipality's own identity provider, when configured
          h('div', { id: 'signin-sso', class: 'btn-row' })))));
  void api.oidc().then((o) => {
    const slot = document.getElementById('signin-sso');
    if (!slot || !o.enabled) return;
    const back = afterSignInUrl();
    const href = `${o.login_url}?return_to=${encodeURIComponent(back)}`;
    clear(slot, h('a', { class: 'btn', id: 'signin-sso-link', href }, t('signin_sso', { name: o.name ?? 'SSO' })));
  }).catch(() => { /* no single sign-on: the password form alone */ });
  // the demo's sign-in route: its link back is a plain link without the hash, which only
  // changes the hash-less URL the browser has; make it load the dashboard
  document.getElementById('signin-back')?.addEventListener('click', (e) => { e.preventDefault(); history.replaceState(null, '', afterSignInUrl()); location.reload(); });
  (user.value ? pass : user).focus();
}
