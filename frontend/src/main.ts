// wijkveilig dashboard, the entry point: takes the first requests that index.html started
// (boot.ts), asks who is signed in, and starts the sign-in page (nobody signed in, or the demo's
// `#/inloggen`), the steering report page (`#/rapport`, views/report.ts) or the dashboard
// (app.ts), within what the role may see (access.ts). A request that answers 401 later (the
// session has ended) brings back the sign-in page; the URL keeps the view's state, and signing
// in loads that same URL again.
import { accessFor, applyAccess, type Access } from './access';
import { apiStatus, normaliseMeta, onUnauthorized, type Meta, type Session } from './api';
import { App } from './app';
import { startBoot } from './boot';
import { $, clear, h } from './dom';
import { setLang, t } from './i18n';
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
  await renderReportPage(meta, state.lang, (l) => {
    state.lang = l;
    const p = parseReportHash(location.hash)?.period ?? '';
    location.hash = `#/rapport?period=${p}${l === 'en' ? '&lang=en' : ''}`;
  });
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
  for (const p of [early.meta, early.crimeTypes, early.cameras, early.initiatives, early.figures?.buurten, early.figures?.wijken, early.figures?.enforcement]) watch(p);
  let meta: Meta;
  let crimeTypes;
  try {
    const [m, types] = await Promise.all([early.meta, early.crimeTypes]);
    meta = normaliseMeta(m);
    crimeTypes = types;
    performance.mark('wv-meta');
  } catch (err) {
    if (apiStatus(err) !== 401) fatal(err);
    return;
  }
  const state = parseState(location.search, meta.default_range);
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
  app.start();
  await yieldToBrowser();
  // The figures (requested by index.html) and the map load at the same time; the first data
  // render draws them together with the cameras and initiatives.
  await app.loadFirst();
}

void boot();
