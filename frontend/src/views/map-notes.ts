// Sentences on the map for what it does not show: a layer that is switched on but has nothing to
// draw (no incident points in the data, too few years for emerging hot spots, no cameras, a period
// without figures, …) and a basemap that could not be reached. A map that stays empty says why.
import type { App } from '../app';
import { h } from '../dom';
import { typesWithoutOffences } from '../figures';
import { fmt, t } from '../i18n';
import { missingScopeNote } from '../scope';
import type { Layer } from '../state';
import { analysisNotes } from './planning';

/** Why a point or area layer that is on draws nothing, or null when it draws (or is still loading). */
export function layerEmptyNote(app: App, layer: Layer): string | null {
  const counts = app.meta.counts;
  switch (layer) {
    case 'choropleth': {
      const d = app.figures.data;
      const bs = d?.buurten.areas ?? [];
      if (!d || !bs.length || !bs.every((p) => p.count == null && p.status === 'no_data')) return null;
      // crime types the offence figures do not hold, or a scope without figures
      return typesWithoutOffences(app.crimeTypes, app.state.types, counts.incidents > 0) ?? t('choropleth_none', { g: app.scopeLabel() });
    }
    case 'heatmap': {
      const inc = app.incidents;
      if (!app.access.can.points || inc.status !== 'ready' || !inc.data || inc.data.features.length) return null;
      return counts.incidents === 0 ? t('heat_no_file') : t('heat_none');
    }
    case 'cameras':
      return app.cameras.status === 'ready' && app.cameras.data && !app.cameras.data.features.length ? t('cam_none') : null;
    case 'enforcement': {
      const e = app.figures.data?.enforcement;
      if (!app.access.can.points || !e || e.features.length) return null;
      return counts.enforcement === 0 ? t('enf_none_file') : t('enf_none_period');
    }
    case 'initiatives':
      return app.initiatives.status === 'ready' && app.initiatives.data && !app.initiatives.data.features.length ? t('ini_none') : null;
    case 'wijken':
      // buurten without wijk polygons (a buurt file only, as CBS publishes them per boundary year)
      return app.meta.counts.wijken === 0 && app.meta.counts.buurten > 0 ? t('wijken_none_file', { g: app.scopeLabel() }) : null;
    default:
      return null;
  }
}

/** Every note for the map as it is now: the basemap, then the layers that are on, in the legend's order. */
export function mapNotes(app: App): string[] {
  const on = app.state.layers;
  // months of the period without any figure: the figures shown are partial
  const missing = app.figures.data?.buurten.period?.missing_months ?? [];
  const notes: (string | null)[] = [app.missingScope ? missingScopeNote(app.missingScope, app.meta) : null, app.basemapDown ? t('basemap_down') : null,
    app.tilesDown ? t('tiles_down') : null,
    missing.length ? t('period_missing', { months: missing.map(fmt.month).join(', ') }) : null];
  if (on.has('choropleth')) notes.push(layerEmptyNote(app, 'choropleth'));
  notes.push(...analysisNotes(on));
  const heat = on.has('heatmap') ? layerEmptyNote(app, 'heatmap') : null;
  notes.push(heat);
  for (const l of ['wijken', 'cameras', 'enforcement', 'initiatives'] as const) if (on.has(l)) notes.push(layerEmptyNote(app, l));
  // a map whose surface layers are all empty: the way to the figures per buurt that do exist
  const surfaceEmpty = heat !== null || notes.includes(t('kde_no_file')) || notes.includes(t('empty_kde'));
  if (!on.has('choropleth') && !on.has('hotspots') && surfaceEmpty) notes.push(t('map_hint_choropleth'));
  return [...new Set(notes.filter((n): n is string => !!n))];
}

export function renderMapNotes(app: App): void {
  const el = document.getElementById('map-notes');
  if (!el) return;
  const notes = mapNotes(app);
  el.hidden = !notes.length;
  el.replaceChildren(...notes.map((n) => h('li', {}, n)));
}
