// The MapLibre map: buurt choropleth, wijk outlines and labels, incident heatmap, cameras with
// coverage circles in metres, enforcement by outcome and watch-initiative areas.
import { Map as MLMap, Marker, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, ImageSource, LngLatBoundsLike, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, Point, Polygon } from 'geojson';
import type { CameraProps, EnforcementProps, IncidentProps, InitiativeProps, AreaProps, Emerging, Hotspots, Kde } from './api';
import { EMERGING_COLOURS, HOT_COLOURS, kdeDataUrl } from './kde';
import { circlePolygon, labelPoint } from './geo';
import { WITHHELD_COLOUR } from './classify';
import type { Layer } from './state';

export const OUTCOME_COLOURS: Record<string, string> = {
  // Okabe–Ito: distinguishable with colour-vision deficiencies
  compliance_without_sanction: '#009E73',
  warning: '#E69F00',
  administrative_sanction: '#0072B2',
  criminal_report: '#D55E00',
};
export const CAMERA_COLOUR = '#1d4e89';
export const INITIATIVE_COLOUR = '#6a3d9a';
export const SUGGEST_COLOUR = '#7a3e00';
export const UNCOVERED_COLOUR = '#000000';

const POLY: ExpressionSpecification = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false];
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

const LAYER_IDS: Record<Layer, string[]> = {
  choropleth: ['buurt-fill', 'buurt-withheld', 'buurt-line'],
  hotspots: ['hotspot-fill', 'hotspot-line', 'uncovered-hotspot'],
  emerging: ['emerging-fill', 'emerging-line'],
  kde: ['kde-raster'],
  wijken: ['wijk-line'],
  heatmap: ['incident-heat'],
  cameras: ['camera-cover', 'camera-cover-line', 'camera-point', 'suggest-cover', 'suggest-point', 'uncovered-cells', 'draft-cover'],
  enforcement: ['enforcement-point'],
  initiatives: ['initiative-fill', 'initiative-line', 'initiative-point'],
};

function baseStyle(): StyleSpecification {
  // No tiles, glyphs or sprites: everything works offline. Labels are HTML markers.
  return { version: 8, transition: { duration: 0, delay: 0 }, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f3' } }] };
}

function hatchImage(): ImageData {
  const size = 8;
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const ctx = c.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = '#d9d9d9';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#6b6b6b';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-size / 2, size / 2);
  ctx.lineTo(size / 2, -size / 2);
  ctx.moveTo(size / 2, size * 1.5);
  ctx.lineTo(size * 1.5, size / 2);
  ctx.stroke();
  return ctx.getImageData(0, 0, size, size);
}

export interface MapEvents {
  onSelect: (code: string) => void;
  onMove: (lon: number, lat: number, zoom: number) => void;
  /** a click on the map while placing a camera */
  onPlace?: (lon: number, lat: number) => void;
}

type GeoSource = { setData(d: unknown): void } | undefined;

export class DashboardMap {
  readonly map: MLMap;
  readonly ready: Promise<void>;
  private labels: Marker[] = [];
  private hoverCode: string | null = null;
  private suggestMarkers: Marker[] = [];
  private draft: Marker | null = null;
  private placing = false;
  private on = new Set<Layer>();

  constructor(container: HTMLElement, bounds: LngLatBoundsLike, styleUrl: string | null, private ev: MapEvents) {
    setWorkerUrl(new URL('maplibre-gl-worker.js', import.meta.url).href);
    this.map = new MLMap({
      container,
      style: styleUrl ?? baseStyle(),
      bounds,
      fitBoundsOptions: { padding: 24 },
      attributionControl: false,
      fadeDuration: 0,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
      dragRotate: false,
      pitchWithRotate: false,
      maxPitch: 0,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.ready = new Promise((resolve) => this.map.once('load', () => { performance.mark('wv-map-load'); this.addLayers(); resolve(); }));
    this.map.on('moveend', () => {
      const c = this.map.getCenter();
      this.ev.onMove(c.lng, c.lat, this.map.getZoom());
    });
  }

  private addLayers(): void {
    const m = this.map;
    m.addImage('hatch', hatchImage(), { pixelRatio: 1 });
    for (const id of ['buurten', 'wijken', 'hotspots', 'emerging', 'incidents', 'camera-cover', 'cameras', 'enforcement', 'initiatives', 'suggestions', 'suggest-cover', 'uncovered-cells', 'draft-cover']) {
      m.addSource(id, { type: 'geojson', data: EMPTY, promoteId: id === 'buurten' || id === 'wijken' ? 'code' : undefined });
    }
    m.addLayer({
      id: 'buurt-fill', type: 'fill', source: 'buurten',
      paint: { 'fill-color': ['coalesce', ['get', 'colour'], WITHHELD_COLOUR], 'fill-opacity': ['case', ['get', 'in_scope'], 1, 0.3] },
    });
    m.addLayer({
      id: 'buurt-withheld', type: 'fill', source: 'buurten', filter: ['==', ['get', 'cls'], -1],
      paint: { 'fill-pattern': 'hatch', 'fill-opacity': ['case', ['get', 'in_scope'], 1, 0.35] },
    });
    m.addLayer({
      id: 'buurt-line', type: 'line', source: 'buurten',
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.5, 15, 1.5], 'line-opacity': 0.9 },
    });
    m.addLayer({
      id: 'hotspot-fill', type: 'fill', source: 'hotspots',
      paint: { 'fill-color': ['match', ['get', 'class'], ...Object.entries(HOT_COLOURS).flat(), '#f7f7f7'] as unknown as ExpressionSpecification, 'fill-opacity': 1 },
    });
    m.addLayer({ id: 'hotspot-line', type: 'line', source: 'hotspots', paint: { 'line-color': '#8a96a3', 'line-width': 0.6 } });
    m.addLayer({
      id: 'emerging-fill', type: 'fill', source: 'emerging', filter: ['!=', ['get', 'category'], 'none'],
      paint: { 'fill-color': ['match', ['get', 'category'], ...Object.entries(EMERGING_COLOURS).flat(), '#ffffff'] as unknown as ExpressionSpecification, 'fill-opacity': 0.9 },
    });
    m.addLayer({ id: 'emerging-line', type: 'line', source: 'emerging', paint: { 'line-color': '#5b6672', 'line-width': 0.6 } });
    m.addLayer({
      id: 'incident-heat', type: 'heatmap', source: 'incidents', maxzoom: 18,
      paint: {
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 13, 14, 16, 32],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.25, 15, 1],
        'heatmap-opacity': 0.85,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
          0, 'rgba(255,255,178,0)', 0.15, 'rgba(254,217,118,0.55)', 0.35, '#feb24c', 0.55, '#fd8d3c', 0.75, '#f03b20', 1, '#bd0026'],
      },
    });
    m.addLayer({
      id: 'wijk-line', type: 'line', source: 'wijken',
      paint: { 'line-color': '#1f2a37', 'line-width': ['case', ['boolean', ['feature-state', 'scoped'], false], 3.5, 1.6], 'line-opacity': 0.85 },
    });
    m.addLayer({
      id: 'uncovered-hotspot', type: 'line', source: 'hotspots', filter: ['in', ['get', 'code'], ['literal', []]],
      paint: { 'line-color': UNCOVERED_COLOUR, 'line-width': 3, 'line-dasharray': [2, 1] },
    });
    m.addLayer({ id: 'initiative-fill', type: 'fill', source: 'initiatives', filter: POLY, paint: { 'fill-color': INITIATIVE_COLOUR, 'fill-opacity': 0.12 } });
    m.addLayer({ id: 'initiative-line', type: 'line', source: 'initiatives', filter: POLY, paint: { 'line-color': INITIATIVE_COLOUR, 'line-width': 2, 'line-dasharray': [2, 1.5] } });
    m.addLayer({ id: 'initiative-point', type: 'circle', source: 'initiatives', filter: ['match', ['geometry-type'], ['Point', 'MultiPoint'], true, false], paint: { 'circle-radius': 7, 'circle-color': INITIATIVE_COLOUR, 'circle-opacity': 0.35, 'circle-stroke-color': INITIATIVE_COLOUR, 'circle-stroke-width': 2 } });
    m.addLayer({ id: 'camera-cover', type: 'fill', source: 'camera-cover', paint: { 'fill-color': CAMERA_COLOUR, 'fill-opacity': ['case', ['==', ['get', 'status'], 'planned'], 0.1, 0.22] } });
    m.addLayer({ id: 'camera-cover-line', type: 'line', source: 'camera-cover', paint: { 'line-color': CAMERA_COLOUR, 'line-width': 1.5, 'line-dasharray': ['case', ['==', ['get', 'status'], 'planned'], ['literal', [2, 2]], ['literal', [1, 0]]] } });
    m.addLayer({
      id: 'camera-point', type: 'circle', source: 'cameras',
      paint: { 'circle-radius': 5, 'circle-color': ['case', ['==', ['get', 'status'], 'planned'], '#ffffff', CAMERA_COLOUR], 'circle-stroke-color': CAMERA_COLOUR, 'circle-stroke-width': 2 },
    });
    m.addLayer({ id: 'suggest-cover', type: 'fill', source: 'suggest-cover', paint: { 'fill-color': SUGGEST_COLOUR, 'fill-opacity': 0.12 } });
    m.addLayer({ id: 'suggest-point', type: 'line', source: 'suggest-cover', paint: { 'line-color': SUGGEST_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2] } });
    m.addLayer({ id: 'draft-cover', type: 'line', source: 'draft-cover', paint: { 'line-color': '#000000', 'line-width': 2, 'line-dasharray': [1, 1] } });
    m.addLayer({
      id: 'uncovered-cells', type: 'circle', source: 'uncovered-cells',
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 1, 13, 1.8, 16, 5], 'circle-color': '#ffffff', 'circle-stroke-color': UNCOVERED_COLOUR, 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 11, 0.6, 14, 1.2] },
    });
    m.addLayer({
      id: 'enforcement-point', type: 'circle', source: 'enforcement',
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3, 16, 6],
        'circle-color': ['match', ['get', 'outcome'], ...Object.entries(OUTCOME_COLOURS).flat(), '#777777'] as unknown as ExpressionSpecification,
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
      },
    });
    m.addLayer({ id: 'buurt-selected', type: 'line', source: 'buurten', filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#000000', 'line-width': 3.5 } });
    m.addLayer({ id: 'buurt-hover', type: 'line', source: 'buurten', filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#1f2a37', 'line-width': 2 } });

    m.on('click', (e) => {
      if (this.placing) { this.ev.onPlace?.(e.lngLat.lng, e.lngLat.lat); return; }
      const f = m.queryRenderedFeatures(e.point, { layers: ['buurt-fill', 'hotspot-fill', 'emerging-fill'].filter((l) => m.getLayoutProperty(l, 'visibility') !== 'none') })[0];
      const code = f?.properties?.code as string | undefined;
      if (code) this.ev.onSelect(code);
    });
    for (const layer of ['buurt-fill', 'hotspot-fill', 'emerging-fill']) this.hover(layer);
  }

  private hover(layer: string): void {
    const m = this.map;
    m.on('mousemove', layer, (e) => {
      const code = (e.features?.[0]?.properties?.code as string | undefined) ?? null;
      if (code !== this.hoverCode) {
        this.hoverCode = code;
        m.setFilter('buurt-hover', ['==', ['get', 'code'], code ?? '']);
      }
      m.getCanvas().style.cursor = this.placing ? 'crosshair' : 'pointer';
    });
    m.on('mouseleave', layer, () => {
      this.hoverCode = null;
      m.setFilter('buurt-hover', ['==', ['get', 'code'], '']);
      m.getCanvas().style.cursor = this.placing ? 'crosshair' : '';
    });
  }

  setHotspots(fc: Hotspots | null): void {
    (this.map.getSource('hotspots') as GeoSource)?.setData(fc ?? EMPTY);
  }

  setEmerging(fc: Emerging | null): void {
    (this.map.getSource('emerging') as GeoSource)?.setData(fc ?? EMPTY);
  }

  /** The KDE grid as an image source under the wijk outlines (added on first use). */
  setKde(k: Kde | null): void {
    const m = this.map;
    const src = m.getSource('kde') as ImageSource | undefined;
    if (!k || k.nx <= 0 || k.ny <= 0 || k.corners.length !== 4) {
      if (m.getLayer('kde-raster')) m.setLayoutProperty('kde-raster', 'visibility', 'none');
      return;
    }
    const coordinates = k.corners as [[number, number], [number, number], [number, number], [number, number]];
    const url = kdeDataUrl(k);
    if (src) src.updateImage({ url, coordinates });
    else {
      m.addSource('kde', { type: 'image', url, coordinates });
      m.addLayer({ id: 'kde-raster', type: 'raster', source: 'kde', paint: { 'raster-opacity': 0.85, 'raster-fade-duration': 0, 'raster-resampling': 'linear' } }, 'wijk-line');
    }
    m.setLayoutProperty('kde-raster', 'visibility', this.on.has('kde') ? 'visible' : 'none');
  }

  /** Outlines the hotspot buurten no camera sees and marks uncovered hotspot cells. */
  setUncovered(codes: string[], cells: { lon: number; lat: number; density: number }[]): void {
    if (this.map.getLayer('uncovered-hotspot')) this.map.setFilter('uncovered-hotspot', ['in', ['get', 'code'], ['literal', codes]]);
    (this.map.getSource('uncovered-cells') as GeoSource)?.setData({
      type: 'FeatureCollection',
      features: cells.map((c) => ({ type: 'Feature', properties: { density: c.density }, geometry: { type: 'Point', coordinates: [c.lon, c.lat] } })),
    });
  }

  /** Suggested camera sites: a dashed coverage circle and a numbered marker each. */
  setSuggestions(sites: { lon: number; lat: number; gain: number }[], radiusM: number, label: (i: number) => string): void {
    (this.map.getSource('suggest-cover') as GeoSource)?.setData({
      type: 'FeatureCollection',
      features: sites.map((s, i) => ({ type: 'Feature', properties: { rank: i + 1, gain: s.gain }, geometry: circlePolygon([s.lon, s.lat], radiusM) })),
    });
    for (const mk of this.suggestMarkers) mk.remove();
    this.suggestMarkers = sites.map((s, i) => {
      const el = document.createElement('div');
      el.className = 'suggest-marker';
      el.textContent = String(i + 1);
      el.title = label(i);
      el.setAttribute('aria-hidden', 'true');
      el.hidden = !this.on.has('cameras');
      return new Marker({ element: el, anchor: 'center' }).setLngLat([s.lon, s.lat]).addTo(this.map);
    });
  }

  /** Placing mode: the next map click reports a position instead of selecting a buurt. */
  setPlacing(on: boolean): void {
    this.placing = on;
    this.map.getCanvas().style.cursor = on ? 'crosshair' : '';
    this.map.getContainer().classList.toggle('placing', on);
  }

  /** The camera being edited: a draggable marker with its coverage circle. */
  setDraft(pos: [number, number] | null, radiusM: number, onMove?: (lon: number, lat: number) => void): void {
    (this.map.getSource('draft-cover') as GeoSource)?.setData(pos ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: circlePolygon(pos, radiusM) }] } : EMPTY);
    if (!pos) { this.draft?.remove(); this.draft = null; return; }
    if (!this.draft) {
      const el = document.createElement('div');
      el.className = 'draft-marker';
      el.setAttribute('aria-hidden', 'true');
      this.draft = new Marker({ element: el, draggable: true, anchor: 'center' }).setLngLat(pos).addTo(this.map);
      this.draft.on('drag', () => {
        const p = this.draft?.getLngLat();
        if (p) (this.map.getSource('draft-cover') as GeoSource)?.setData({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: circlePolygon([p.lng, p.lat], this.draftRadius) }] });
      });
      this.draft.on('dragend', () => {
        const p = this.draft?.getLngLat();
        if (p) this.draftMove?.(p.lng, p.lat);
      });
    } else this.draft.setLngLat(pos);
    this.draftRadius = radiusM;
    this.draftMove = onMove ?? null;
  }
  private draftRadius = 0;
  private draftMove: ((lon: number, lat: number) => void) | null = null;

  setBuurten(fc: FeatureCollection<Geometry, AreaProps & { colour: string | null; cls: number; in_scope: boolean }>): void {
    (this.map.getSource('buurten') as { setData(d: unknown): void } | undefined)?.setData(fc);
  }

  setWijken(fc: FeatureCollection<Geometry, AreaProps>, scoped: string | null): void {
    (this.map.getSource('wijken') as { setData(d: unknown): void } | undefined)?.setData(fc);
    for (const f of fc.features) this.map.setFeatureState({ source: 'wijken', id: f.properties.code }, { scoped: f.properties.code === scoped });
    for (const m of this.labels) m.remove();
    this.labels = fc.features.map((f) => {
      const el = document.createElement('div');
      el.className = `wijk-label${f.properties.code === scoped ? ' scoped' : ''}`;
      el.textContent = f.properties.name;
      el.setAttribute('aria-hidden', 'true');
      return new Marker({ element: el, anchor: 'center' }).setLngLat(labelPoint(f.geometry)).addTo(this.map);
    });
  }

  setCameras(fc: FeatureCollection<Point, CameraProps>): void {
    const cover: Feature<Polygon, CameraProps>[] = fc.features.map((f) => ({
      type: 'Feature', properties: f.properties,
      geometry: circlePolygon(f.geometry.coordinates as [number, number], f.properties.radius_m),
    }));
    (this.map.getSource('cameras') as GeoSource)?.setData(fc);
    (this.map.getSource('camera-cover') as GeoSource)?.setData({ type: 'FeatureCollection', features: cover });
  }

  setEnforcement(fc: FeatureCollection<Point, EnforcementProps>): void {
    (this.map.getSource('enforcement') as { setData(d: unknown): void } | undefined)?.setData(fc);
  }

  setInitiatives(fc: FeatureCollection<Geometry, InitiativeProps>): void {
    (this.map.getSource('initiatives') as { setData(d: unknown): void } | undefined)?.setData(fc);
  }

  setIncidents(fc: FeatureCollection<Point, IncidentProps>): void {
    (this.map.getSource('incidents') as { setData(d: unknown): void } | undefined)?.setData(fc);
  }

  setLayers(on: Set<Layer>): void {
    this.on = new Set(on);
    for (const mk of this.suggestMarkers) mk.getElement().hidden = !on.has('cameras');
    for (const [layer, ids] of Object.entries(LAYER_IDS) as [Layer, string[]][]) {
      for (const id of ids) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on.has(layer) ? 'visible' : 'none');
    }
    for (const m of this.labels) m.getElement().hidden = !on.has('wijken');
  }

  setSelected(code: string | null): void {
    if (this.map.getLayer('buurt-selected')) this.map.setFilter('buurt-selected', ['==', ['get', 'code'], code ?? '']);
  }

  /** A PNG of the map as shown, with the HTML wijk labels painted in (for the printed report). */
  snapshot(): string {
    const src = this.map.getCanvas();
    const c = document.createElement('canvas');
    c.width = src.width;
    c.height = src.height;
    const ctx = c.getContext('2d');
    if (!ctx) return src.toDataURL('image/png');
    ctx.drawImage(src, 0, 0);
    const ratio = src.width / Math.max(1, src.clientWidth);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    for (const m of this.labels) {
      const el = m.getElement();
      if (el.hidden) continue;
      const p = this.map.project(m.getLngLat());
      ctx.font = `700 ${(el.classList.contains('scoped') ? 14 : 12) * ratio}px system-ui, sans-serif`;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 3.5 * ratio;
      ctx.strokeText(el.textContent ?? '', p.x * ratio, p.y * ratio);
      ctx.fillStyle = '#111827';
      ctx.fillText(el.textContent ?? '', p.x * ratio, p.y * ratio);
    }
    return c.toDataURL('image/png');
  }

  fit(b: [number, number, number, number], animate = true): void {
    this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 32, animate, duration: animate ? 600 : 0 });
  }

  /** Resolves when the map has rendered everything it has (tiles, sources, transitions). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.map.loaded() && !this.map.isMoving()) this.map.once('idle', () => resolve());
      else this.map.once('idle', () => resolve());
      this.map.triggerRepaint();
    });
  }
}
