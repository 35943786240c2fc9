// wijkveilig dashboard, the entry point: takes the first requests that index.html started
// (boot.ts), asks who is signed in, and starts the sign-in page (nobody signed in, or the demo's
// `#/inloggen`), the steering report page (`#/rapport`, views/report.ts) or the dashboard
// (app.ts), within what the role may see (access.ts). A request that answers 401 later (the
// session has ended) brings back the sign-in page; the URL keeps the view's state, and signing
// in loads that same URL again.
import { accessFor, applyAccess, type Access } from './access';
import { api, apiStatus, normaliseMeta, onUnauthorized, scopeOf, type Meta, type RawMeta, type Session } from './api';
import { App } from './app';
import { startBoot } from './boot';
import { $, clear, h } from './dom';
import { setLang, t } from './i18n';
import type { MissingScope } from './scope';
import { parseState, snapToYears, type Lang, type State } from './state';
import { parseReportHash, renderReportPage } from './views/report';
import { isSignInHash, showSignIn } from './views/signin';

/** The first requests, started by index.html before this bundle loaded (see boot.ts). */
const early = window.wvBoot ?? startBoot();

/**
 * Ends the current task. With the first requests already answered, boot would otherwise run as
 * one long task, and the map's worker (prewarmed when this bundle ran, see map.ts) could not
 * start: the browser starts a worker with a task on this thread once its script has loaded.
 */
const yieldToBrowser = (): Promise<void> => new Promise((resolve) => { setTimeout(resolve, 0); });

const urlLang = (): Lang => (new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'nl');

function fatal(err: unknown): void {
  clear($('#app'), h('p', { class: 'fatal', role: 'alert' }, `wijkveilig: ${err instanceof Error ? err.message : String(err)}`));
}

async function showReport(meta: Meta, state: State, access: Access): Promise<void> {
  const r = parseReportHash(location.hash);
  if (r?.lang) state.lang = r.lang;
  if (!access.can.report) {
    // not for this role: say so, with the way back (the dashboard has no link to it either)
    setLang(state.lang);
    clear($('#app'), h('main', { id: 'main', class: 'signin-main', tabindex: -1 },
      h('div', { class: 'signin-card', role: 'alert' },
        h('p', {}, t('rap_not_for_role')),
        h('a', { class: 'btn', href: `${location.pathname}${location.search}` }, `← ${t('rap_back')}`))));
    return;
  }
  await renderReportPage(meta, scopeOf(state), state.lang, (l) => {
    state.lang = l;
    const p = parseReportHash(location.hash)?.period ?? '';
    location.hash = `#/rapport?period=${p}${l === 'en' ? '&lang=en' : ''}`;
  });
}

/**
 * meta for the URL's scope (issue #11). A link may name a gemeente or boundary year that this
 * data lacks (the API answers 404): then meta is asked for without the gemeente (it may lack in
 * that boundary year only), and else for the default scope; `missing` says what was left out,
 * and the map says so (scope.ts missingScopeNote).
 */
async function scopedMeta(first: Promise<RawMeta>): Promise<{ raw: RawMeta; missing: MissingScope | null }> {
  try {
    return { raw: await first, missing: null };
  } catch (err) {
    const asked = parseState(location.search, { from: '', to: '' });
    if (apiStatus(err) !== 404 || (asked.gemeente === null && asked.indeling === null)) throw err;
    if (asked.gemeente !== null && asked.indeling !== null) {
      try {
        return { raw: await api.meta({ indeling: asked.indeling }), missing: { gemeente: asked.gemeente, indeling: null } };
      } catch (e) {
        if (apiStatus(e) !== 404) throw e;
      }
    }
    return { raw: await api.meta(), missing: { gemeente: asked.gemeente, indeling: asked.indeling } };
  }
}

async function boot(): Promise<void> {
  setLang(urlLang());
  let session: Session;
  try {
    session = await early.session;
  } catch (err) {
    if (apiStatus(err) === 401) showSignIn();
    else fatal(err);
    return;
  }
  // the demo visitor (no account) can still sign in with one
  if (isSignInHash(location.hash)) { showSignIn({ demo: session.demo }); return; }
  const access = accessFor(session);
  let app: App | null = null;
  // from now on, a request that answers 401 means the session has ended
  let signedOut = false;
  const ended = (): void => {
    if (signedOut) return;
    signedOut = true;
    app?.halt();
    showSignIn({ expired: true });
  };
  onUnauthorized(ended);
  // the first requests went out from index.html's boot script, which knows nothing of this
  const watch = (p: Promise<unknown> | undefined): void => { p?.catch((err: unknown) => { if (apiStatus(err) === 401) ended(); }); };
  for (const p of [early.meta, early.tiles, early.crimeTypes, early.cameras, early.initiatives, early.figures?.buurten, early.figures?.wijken, early.figures?.enforcement]) watch(p);
  let meta: Meta;
  let crimeTypes;
  let missing: MissingScope | null;
  try {
    const [m, types] = await Promise.all([scopedMeta(early.meta), early.crimeTypes]);
    meta = normaliseMeta(m.raw);
    missing = m.missing;
    crimeTypes = types;
    performance.mark('wv-meta');
  } catch (err) {
    if (apiStatus(err) !== 401) fatal(err);
    return;
  }
  const state = parseState(location.search, meta.default_range);
  // a gemeente or boundary year the data lacks is left out of the URL: the default is shown
  if (missing?.gemeente) state.gemeente = null;
  if (missing?.indeling != null) state.indeling = null;
  // yearly-only data (CBS 47018NED): a period of months would have no figures at all
  if (!meta.periods.monthly) snapToYears(state);
  applyAccess(state, access, location.search);
  setLang(state.lang);
  window.addEventListener('hashchange', () => {
    if (signedOut) return;
    if (parseReportHash(location.hash)) void showReport(meta, state, access); else location.reload();
  });
  if (parseReportHash(location.hash)) { await showReport(meta, state, access); return; }
  await yieldToBrowser();
  app = new App(meta, crimeTypes, state, early, access);
  app.missingScope = missing;
  app.start();
  await yieldToBrowser();
  // The figures (requested by index.html) and the map load at the same time; the first data
  // render draws them together with the cameras and initiatives.
  await app.loadFirst();
}

void boot();
