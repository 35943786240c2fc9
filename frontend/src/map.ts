// The MapLibre map: buurt choropleth, wijk outlines and labels, incident heatmap, cameras with
// coverage circles in metres, enforcement by outcome and watch-initiative areas.
import { Map as MLMap, Marker, NavigationControl, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, LngLatBoundsLike, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, Point, Polygon } from 'geojson';
import type { CameraProps, EnforcementProps, IncidentProps, InitiativeProps, AreaProps } from './api';
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

const POLY: ExpressionSpecification = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false];
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

const LAYER_IDS: Record<Layer, string[]> = {
  choropleth: ['buurt-fill', 'buurt-withheld', 'buurt-line'],
  wijken: ['wijk-line'],
  heatmap: ['incident-heat'],
  cameras: ['camera-cover', 'camera-cover-line', 'camera-point'],
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
}

export class DashboardMap {
  readonly map: MLMap;
  readonly ready: Promise<void>;
  private labels: Marker[] = [];
  private hoverCode: string | null = null;

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
    for (const id of ['buurten', 'wijken', 'incidents', 'camera-cover', 'cameras', 'enforcement', 'initiatives']) {
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
    m.addLayer({ id: 'initiative-fill', type: 'fill', source: 'initiatives', filter: POLY, paint: { 'fill-color': INITIATIVE_COLOUR, 'fill-opacity': 0.12 } });
    m.addLayer({ id: 'initiative-line', type: 'line', source: 'initiatives', filter: POLY, paint: { 'line-color': INITIATIVE_COLOUR, 'line-width': 2, 'line-dasharray': [2, 1.5] } });
    m.addLayer({ id: 'initiative-point', type: 'circle', source: 'initiatives', filter: ['match', ['geometry-type'], ['Point', 'MultiPoint'], true, false], paint: { 'circle-radius': 7, 'circle-color': INITIATIVE_COLOUR, 'circle-opacity': 0.35, 'circle-stroke-color': INITIATIVE_COLOUR, 'circle-stroke-width': 2 } });
    m.addLayer({ id: 'camera-cover', type: 'fill', source: 'camera-cover', paint: { 'fill-color': CAMERA_COLOUR, 'fill-opacity': ['case', ['==', ['get', 'status'], 'planned'], 0.1, 0.22] } });
    m.addLayer({ id: 'camera-cover-line', type: 'line', source: 'camera-cover', paint: { 'line-color': CAMERA_COLOUR, 'line-width': 1.5, 'line-dasharray': ['case', ['==', ['get', 'status'], 'planned'], ['literal', [2, 2]], ['literal', [1, 0]]] } });
    m.addLayer({
      id: 'camera-point', type: 'circle', source: 'cameras',
      paint: { 'circle-radius': 5, 'circle-color': ['case', ['==', ['get', 'status'], 'planned'], '#ffffff', CAMERA_COLOUR], 'circle-stroke-color': CAMERA_COLOUR, 'circle-stroke-width': 2 },
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

    m.on('click', 'buurt-fill', (e) => {
      const code = e.features?.[0]?.properties?.code as string | undefined;
      if (code) this.ev.onSelect(code);
    });
    m.on('mousemove', 'buurt-fill', (e) => {
      const code = (e.features?.[0]?.properties?.code as string | undefined) ?? null;
      if (code !== this.hoverCode) {
        this.hoverCode = code;
        m.setFilter('buurt-hover', ['==', ['get', 'code'], code ?? '']);
      }
      m.getCanvas().style.cursor = 'pointer';
    });
    m.on('mouseleave', 'buurt-fill', () => {
      this.hoverCode = null;
      m.setFilter('buurt-hover', ['==', ['get', 'code'], '']);
      m.getCanvas().style.cursor = '';
    });
  }

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
    (this.map.getSource('cameras') as { setData(d: unknown): void } | undefined)?.setData(fc);
    (this.map.getSource('camera-cover') as { setData(d: unknown): void } | undefined)?.setData({ type: 'FeatureCollection', features: cover });
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
