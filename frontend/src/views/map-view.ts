// The map as a view of the state: the buurten go to the map once per data change (geometry to
// the worker), their colours and scope once per render as feature-state (a metric or wijk change
// recolours without re-sending a single feature), then the wijken, point layers, the layer
// switches and the selection. Also marks the first frame that draws the figures.
import type { App } from '../app';
import type { Areas } from '../api';
import { areaCountKind, buurtStyle, metricSuppressed } from '../figures';
import { fmt, t } from '../i18n';
import { gemeenteName } from '../scope';
import type { BuurtFeatures, BuurtStyle } from '../map';

/**
 * The map's form of each buurten collection: the API's properties plus `is_withheld` (withheld
 * at the source, for the hatching filter), `is_suppressed` / `is_suppressed_change` (hidden for
 * this viewer, "< 5", for the dots' filter by metric) and `is_estimated` (carried from another
 * boundary year, for the dashed outline).
 */
const forMap = new WeakMap<Areas, BuurtFeatures>();
function mapFeatures(b: Areas): BuurtFeatures {
  let fc = forMap.get(b);
  if (!fc) {
    fc = {
      type: 'FeatureCollection',
      features: b.features.map((f) => {
        const p = f.properties;
        return { ...f, properties: { ...p, is_withheld: areaCountKind(p) === 'withheld', is_suppressed: metricSuppressed(p, 'count'), is_suppressed_change: metricSuppressed(p, 'change'), is_estimated: p.estimated != null } };
      }),
    };
    forMap.set(b, fc);
  }
  return fc;
}

export function renderMap(app: App): void {
  const m = app.map;
  const s = app.state;
  const d = app.figures.data;
  const classes = app.classes();
  if (!d || !classes) {
    // no figures: the map without data once they failed; before they came, wait for them
    if (app.figures.status === 'error') m.start();
    return;
  }
  m.setBuurten(mapFeatures(d.buurten));
  m.setBuurtStyles(new Map<string, BuurtStyle>(d.buurten.features.map((f) => [f.properties.code, buurtStyle(f.properties, s.metric, classes, s.wijk)])));
  m.setSuppressedBy(s.metric === 'change');
  m.setWijken(d.wijken);
  m.setScopedWijk(s.wijk);
  app.pushStatics();
  app.pushPointLayers();
  m.setLayers(s.layers);
  m.setSelected(s.buurt);
  // the first time: the map gets its style, with all of the above in it
  m.start();
  app.mapEl.setAttribute('aria-label', t('map_label', { g: gemeenteName(app.meta), metric: app.metricLabel(), period: fmt.period(s.from, s.to) }));
  if (!firstPaintWatched && d.buurten.features.length) { firstPaintWatched = true; watchFirstPaint(app); }
}

/**
 * Marks 'wv-first-map-paint' at the first map frame that really draws the view's area data: the
 * buurt choropleth (or, without it, the Gi* classes or the wijk outlines), checked with
 * queryRenderedFeatures once that source has loaded.
 */
let firstPaintWatched = false;
function watchFirstPaint(app: App): void {
  const m = app.map.map;
  const check = (): void => {
    const startTime = performance.now(); // the frame, not the check below, is what is measured
    const l = app.state.layers;
    const layer = l.has('choropleth') ? 'buurt-fill' : l.has('hotspots') ? 'hotspot-fill' : 'wijk-line';
    const source = m.getLayer(layer)?.source;
    if (!source || m.getLayoutProperty(layer, 'visibility') === 'none' || !m.isSourceLoaded(source)) return;
    if (!m.queryRenderedFeatures({ layers: [layer] }).length) return;
    m.off('render', check);
    performance.mark('wv-first-map-paint', { startTime });
  };
  m.on('render', check);
}
