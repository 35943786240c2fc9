// The map legend, for the layers that are on: the choropleth's classes (with withheld, no value
// and outside the wijk), the planning analyses, the heatmap ramp, cameras, enforcement outcomes,
// initiatives and wijk outlines. Shown in the sidebar and in the print report.
import type { App } from '../app';
import { h } from '../dom';
import { classLabel, metricSuppressed, NO_VALUE_COLOUR } from '../figures';
import { fmt, t, type Key } from '../i18n';
import { statusNote } from '../load';
import { CAMERA_COLOUR, ESTIMATED_COLOUR, INITIATIVE_COLOUR, NO_FIGURES_LINE, OUTCOME_COLOURS } from '../map';
import { estimatedLegend, estimateMethods } from '../scope';
import { layerEmptyNote } from './map-notes';
import { legendBlocks } from './planning';

function swatch(style: string, label: string, cls = '', testid?: string): HTMLElement {
  return h('li', { 'data-testid': testid }, h('span', { class: `swatch ${cls}`, style, 'aria-hidden': 'true' }), h('span', {}, label));
}

export function buildLegend(app: App): HTMLElement {
  const s = app.state;
  const on = s.layers;
  const c = app.classes();
  const box = h('div', { class: 'legend-body' });
  if (on.has('choropleth') && c) {
    const small = app.buurten().some((p) => metricSuppressed(p, s.metric));
    const estimated = estimateMethods(app.buurten());
    box.append(
      h('h3', {}, `${app.metricLabel()}${s.metric === 'change' ? '' : ` · ${fmt.period(s.from, s.to)}`}`),
      h('ul', { class: 'legend-list', 'data-testid': 'legend-classes' },
        c.colours.map((col, i) => swatch(`background:${col}`, classLabel(i, c, s.metric, small))),
        swatch('', t('withheld'), 'hatched'),
        // counts hidden for this viewer ("< 5"): a class of their own, neither withheld nor no data
        small ? swatch('', t('small_legend'), 'small-dots', 'legend-small') : null,
        s.metric !== 'count' || app.buurten().some((p) => p.count == null && p.status === 'no_data') ? swatch(`background:${NO_VALUE_COLOUR}`, t('no_data')) : null,
        s.wijk ? swatch('background:#d7dde3;opacity:.6', t('outside_wijk')) : null,
        // the tiles hold every area of the boundary year: those without figures here are outlined only
        swatch(`background:transparent;border:1px solid ${NO_FIGURES_LINE}`, t('outside_scope'), '', 'legend-outside'),
        // figures carried from another boundary year (issue #11): the dashed outline, and how
        estimated.length ? swatch(`background:transparent;border:2px dashed ${ESTIMATED_COLOUR}`, estimatedLegend(estimated), '', 'legend-estimated') : null));
  }
  box.append(...(legendBlocks(on).filter(Boolean) as Node[]));
  /** A layer with nothing to draw: the sentence saying why, in place of its key. */
  const empty = (l: 'heatmap' | 'cameras' | 'enforcement' | 'initiatives'): HTMLElement | null => {
    const n = layerEmptyNote(app, l);
    return n ? h('p', { class: 'small muted', 'data-testid': `legend-${l}-empty` }, n) : null;
  };
  if (on.has('heatmap')) {
    const none = empty('heatmap');
    box.append(h('h3', {}, t('layer_heatmap')), ...(none ? [none] : [h('div', { class: 'ramp', 'aria-hidden': 'true' }), h('div', { class: 'ramp-labels small muted' }, h('span', {}, t('low')), h('span', {}, t('high')))]));
    const note = statusNote(app.incidents);
    if (note) box.append(note);
  }
  if (on.has('cameras')) {
    box.append(h('h3', {}, t('layer_cameras')), h('ul', { class: 'legend-list' },
      swatch(`background:${CAMERA_COLOUR};border-radius:50%`, t('active')), swatch(`background:#fff;border:2px solid ${CAMERA_COLOUR};border-radius:50%`, t('planned'))));
    const none = empty('cameras');
    if (none) box.append(none);
    if (app.cameras.status === 'error') box.append(statusNote(app.cameras) as Node);
  }
  if (on.has('enforcement')) {
    const none = empty('enforcement');
    box.append(h('h3', {}, t('layer_enforcement')), none ?? h('ul', { class: 'legend-list' },
      Object.entries(OUTCOME_COLOURS).map(([o, col]) => swatch(`background:${col};border-radius:50%`, t(`outcome_${o}` as Key)))));
  }
  if (on.has('initiatives')) {
    box.append(h('h3', {}, t('layer_initiatives')), h('ul', { class: 'legend-list' },
      swatch(`background:${INITIATIVE_COLOUR}22;border:2px dashed ${INITIATIVE_COLOUR}`, t('layer_initiatives'))));
    const none = empty('initiatives');
    if (none) box.append(none);
    if (app.initiatives.status === 'error') box.append(statusNote(app.initiatives) as Node);
  }
  if (on.has('wijken')) box.append(h('ul', { class: 'legend-list' }, swatch('border:2px solid #1f2a37;background:transparent', t('layer_wijken'))));
  return box;
}

export function renderLegend(app: App): void {
  const el = document.getElementById('legend');
  if (el) el.replaceChildren(buildLegend(app));
}
