// wijkveilig dashboard, the entry point: takes the first requests that index.html started
// (boot.ts), reads the state from the URL, and starts either the steering report page
// (`#/rapport`, views/report.ts) or the dashboard (app.ts).
import { normaliseMeta, type Meta } from './api';
import { App } from './app';
import { startBoot } from './boot';
import { $, clear, h } from './dom';
import { setLang } from './i18n';
import { parseState, type State } from './state';
import { parseReportHash, renderReportPage } from './views/report';

/** The first requests, started by index.html before this bundle loaded (see boot.ts). */
const early = window.wvBoot ?? startBoot();

/**
 * Ends the current task. With the first requests already answered, boot would otherwise run as
 * one long task, and the map's worker (prewarmed when this bundle ran, see map.ts) could not
 * start: the browser starts a worker with a task on this thread once its script has loaded.
 */
const yieldToBrowser = (): Promise<void> => new Promise((resolve) => { setTimeout(resolve, 0); });

async function showReport(meta: Meta, state: State): Promise<void> {
  const r = parseReportHash(location.hash);
  if (r?.lang) state.lang = r.lang;
  await renderReportPage(meta, state.lang, (l) => {
    state.lang = l;
    const p = parseReportHash(location.hash)?.period ?? '';
    location.hash = `#/rapport?period=${p}${l === 'en' ? '&lang=en' : ''}`;
  });
}

async function boot(): Promise<void> {
  let meta: Meta;
  let crimeTypes;
  try {
    const [m, types] = await Promise.all([early.meta, early.crimeTypes]);
    meta = normaliseMeta(m);
    crimeTypes = types;
    performance.mark('wv-meta');
  } catch (err) {
    clear($('#app'), h('p', { class: 'fatal', role: 'alert' }, `wijkveilig: ${(err as Error).message}`));
    return;
  }
  const state = parseState(location.search, meta.default_range);
  setLang(state.lang);
  window.addEventListener('hashchange', () => {
    if (parseReportHash(location.hash)) void showReport(meta, state); else location.reload();
  });
  if (parseReportHash(location.hash)) { await showReport(meta, state); return; }
  await yieldToBrowser();
  const app = new App(meta, crimeTypes, state, early);
  app.start();
  await yieldToBrowser();
  // The figures (requested by index.html) and the map load at the same time; the first data
  // render draws them together with the cameras and initiatives.
  await app.loadFirst();
}

void boot();
