// The one-page A4 print of the dashboard (Stuurgroep's Print button, and the browser's own print):
// header, a picture of the map with its legend, the headline figures and the top 10. It is hidden
// on screen, so it is not rendered on every change: changes only mark it stale, and it renders
// when printing. Other documents (the patrol list) print in its place through `printDoc`.
import type { App } from '../app';
import { clear, h } from '../dom';
import { fmt, t } from '../i18n';
import { gemeenteName, scopeTitle } from '../scope';
import { buildLegend } from './legend';
import { enforcementNone, headlineTiles, scopeHeadline, topTable } from './parts';

let stale = true;
/** another document is in the report's place until the print is done */
let override = false;

/** Something the print shows has changed: render it again before the next print. */
export function markPrintStale(): void {
  stale = true;
  document.getElementById('report')?.setAttribute('data-stale', 'true');
}

function renderPrint(app: App): void {
  const r = document.getElementById('report');
  if (!r) return;
  const { meta, state: s } = app;
  const g = gemeenteName(meta);
  clear(r,
    h('header', { class: 'report-head' },
      h('div', {}, h('div', { class: 'report-brand' }, `wijkveilig · ${scopeTitle(meta)}`), h('h1', {}, t('report_title', { g }))),
      h('div', { class: 'report-meta' }, h('div', {}, `${app.scopeLabel()} · ${fmt.period(s.from, s.to)}`), h('div', {}, app.typesLabel()),
        meta.demo ? h('div', { class: 'report-demo' }, t('demo_banner')) : null)),
    h('div', { class: 'report-body' },
      h('div', { class: 'report-map' }, h('img', { id: 'report-map-img', alt: app.mapEl.getAttribute('aria-label') ?? '' }), buildLegend(app)),
      h('div', { class: 'report-side' }, headlineTiles(scopeHeadline(app), enforcementNone(app), app.scopeLabel()), topTable(app, 10, t('top10'), 'report-top10'))),
    h('footer', { class: 'report-foot' }, t('source_note', { y: meta.boundary_year ?? '' }), ` · ${t('printed_on', { d: fmt.date(new Date()) })}`));
  stale = false;
  r.setAttribute('data-stale', 'false');
}

/** Before printing: the report if stale, and always a fresh picture of the map as it is now. */
export function preparePrint(app: App): void {
  if (override) return;
  if (stale) renderPrint(app);
  const img = document.getElementById('report-map-img') as HTMLImageElement | null;
  if (img) img.src = app.map.snapshot();
}

export function printReport(app: App): void {
  preparePrint(app);
  window.print();
}

/** Prints another document (the patrol list) in place of the report, then restores it. */
export function printDoc(doc: HTMLElement): void {
  const r = document.getElementById('report');
  if (!r) return;
  override = true;
  r.classList.add('print-doc');
  clear(r, doc);
  window.addEventListener('afterprint', () => {
    override = false;
    r.classList.remove('print-doc');
    r.replaceChildren();
    markPrintStale();
  }, { once: true });
  window.print();
}
