// The map as a view of the state: the areas' geometry comes from the vector tiles (map.ts); here
// their figures become the tiles' feature-state, once per render: each buurt's class colour,
// withheld, hidden ("< 5") or estimated look and scope, by tile id (a metric, period or wijk
// change recolours without a single geometry sent). Then the wijken, the point layers, the layer
// switches and the selection. Also marks the first frame that draws the figures.
import type { App } from '../app';
import { buurtStyle } from '../figures';
import { fmt, t } from '../i18n';
import { gemeenteName } from '../scope';
import type { BuurtStyle } from '../map';

export function renderMap(app: App): void {
  const m = app.map;
  const s = app.state;
  const d = app.figures.data;
  const classes = app.classes();
  if (!d || !classes) {
    // no figures: the map without them once they failed; before they came, the tiles may already draw
    if (app.figures.status === 'error') m.start();
    return;
  }
  m.setBuurtStyles(new Map<number, BuurtStyle>(d.buurten.areas.map((p) => [p.id, { ...buurtStyle(p, s.metric, classes, s.wijk), estimated: p.estimated != null }])));
  m.setWijken(d.wijken.areas);
  m.setScopedWijk(s.wijk);
  app.pushStatics();
  app.pushPointLayers();
  m.setLayers(s.layers);
  m.setSelected(s.buurt);
  // the first time: the map gets its style, with all of the above in it (when the tiles did not start it already)
  m.start();
  app.mapEl.setAttribute('aria-label', t('map_label', { g: gemeenteName(app.meta), metric: app.metricLabel(), period: fmt.period(s.from, s.to) }));
  if (!firstPaintWatched && d.buurten.areas.length) { firstPaintWatched = true; watchFirstPaint(app); }
}

/**
 * Marks 'wv-first-map-paint' at the first map frame that really draws the view's figures: the
 * first 'render' once the tiles of the layer (the buurt choropleth, else the Gi* classes or the
 * wijk outlines) have loaded for the view and the figures are the map's feature-state. (Not a
 * queryRenderedFeatures of every buurt: at the country's scale that takes longer than the frame.)
 */
let firstPaintWatched = false;
function watchFirstPaint(app: App): void {
  const m = app.map.map;
  const check = (): void => {
    const l = app.state.layers;
    const [layer, group] = l.has('choropleth') ? ['buurt-fill', 'choropleth'] : l.has('hotspots') ? ['hotspot-fill', 'hotspots'] : ['wijk-line', 'wijken'];
    const source = m.getLayer(layer)?.source;
    if (!source || m.getLayoutProperty(layer, 'visibility') === 'none' || !m.isSourceLoaded(source) || !app.map.hasStates(group)) return;
    m.off('render', check);
    performance.mark('wv-first-map-paint');
    // after this frame has gone to the screen, what waited below the map (App.renderBelow)
    window.setTimeout(() => app.releaseBelow(), 0);
  };
  m.on('render', check);
}
