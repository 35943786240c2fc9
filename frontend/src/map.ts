// The MapLibre map: buurt choropleth, wijk outlines and labels, incident heatmap, cameras with
// coverage circles in metres, enforcement by outcome and watch-initiative areas. It exists to keep
// MapLibre behind one small API: the app hands it data (GeoJSON, sent to the map's worker only
// when it changed) and styles per feature (feature-state: the choropleth's class colours and the
// scope of a wijk, recoloured without re-sending any geometry).
import { addProtocol, Map as MLMap, Marker, NavigationControl, prewarm, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, FilterSpecification, ImageSource, LayerSpecification, LngLatBoundsLike, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, Point, Polygon } from 'geojson';
import type { CameraProps, EnforcementProps, IncidentProps, InitiativeProps, AreaProps, Emerging, Hotspots, Kde } from './api';
import { EMERGING_COLOURS, HOT_COLOURS, kdeCanvas } from './kde';
import { circlePolygon, labelPoint } from './geo';
import { SUPPRESSED_COLOUR, WITHHELD_COLOUR } from './classify';
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
/** The dashed outline of a buurt whose figures were carried from another boundary year ("geschat"). */
export const ESTIMATED_COLOUR = '#3b4652';

const POLY: ExpressionSpecification = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false];
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

const LAYER_IDS: Record<Layer, string[]> = {
  choropleth: ['buurt-fill', 'buurt-withheld', 'buurt-suppressed', 'buurt-line', 'buurt-estimated'],
  hotspots: ['hotspot-fill', 'hotspot-line', 'uncovered-hotspot'],
  emerging: ['emerging-fill', 'emerging-line'],
  kde: ['kde-raster'],
  wijken: ['wijk-line'],
  heatmap: ['incident-heat'],
  cameras: ['camera-cover', 'camera-cover-line', 'camera-cover-planned', 'camera-point', 'suggest-cover', 'suggest-point', 'uncovered-cells', 'draft-cover'],
  enforcement: ['enforcement-point'],
  initiatives: ['initiative-fill', 'initiative-line', 'initiative-point'],
};

const GROUP_OF: Record<string, Layer> = Object.fromEntries(
  (Object.entries(LAYER_IDS) as [Layer, string[]][]).flatMap(([group, ids]) => ids.map((id) => [id, group])));

/** Our GeoJSON sources; each joins the map's style with its first features. */
const SOURCES = ['buurten', 'wijken', 'hotspots', 'emerging', 'incidents', 'camera-cover', 'cameras', 'enforcement', 'initiatives', 'suggest-cover', 'uncovered-cells', 'draft-cover'];

/**
 * The map's layers, bottom to top, with the KDE image source's raster. A layer is shown only
 * while its group is on and its source has features (`DashboardMap.visibility`), so no source
 * loads tiles for nothing. Fills draw no antialiasing outline of their own
 * (`fill-antialias: false`): each has a line layer on its edges, and the outline pass would cost
 * a draw call and a shader per fill layer.
 */
function dataLayers(): (LayerSpecification & { source: string })[] {
  const hidden = { visibility: 'none' } as const;
  const layers: LayerSpecification[] = [
    {
      id: 'buurt-fill', type: 'fill', source: 'buurten', layout: hidden,
      // colour and scope are feature-state (DashboardMap.setBuurtStyles): a new metric or wijk recolours, no setData
      paint: { 'fill-antialias': false, 'fill-color': ['coalesce', ['feature-state', 'colour'], WITHHELD_COLOUR], 'fill-opacity': ['case', ['==', ['feature-state', 'in_scope'], false], 0.3, 1] },
    },
    {
      id: 'buurt-withheld', type: 'fill', source: 'buurten', layout: hidden, filter: ['==', ['get', 'is_withheld'], true],
      paint: { 'fill-antialias': false, 'fill-pattern': 'hatch', 'fill-opacity': ['case', ['==', ['feature-state', 'in_scope'], false], 0.35, 1] },
    },
    {
      // counts hidden for this viewer ("< 5"): dots over the lavender of their class (filter per metric, DashboardMap.setSuppressedBy)
      id: 'buurt-suppressed', type: 'fill', source: 'buurten', layout: hidden, filter: ['==', ['get', 'is_suppressed'], true],
      paint: { 'fill-antialias': false, 'fill-pattern': 'dots', 'fill-opacity': ['case', ['==', ['feature-state', 'in_scope'], false], 0.35, 1] },
    },
    {
      id: 'buurt-line', type: 'line', source: 'buurten', layout: hidden,
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.5, 15, 1.5], 'line-opacity': 0.9 },
    },
    {
      // figures carried from another boundary year (issue #11): a dashed outline (ESTIMATED_LINE)
      id: 'buurt-estimated', type: 'line', source: 'buurten', layout: hidden, filter: ['==', ['get', 'is_estimated'], true],
      paint: { 'line-color': ESTIMATED_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1, 15, 2], 'line-dasharray': [2, 1.5], 'line-opacity': 0.9 },
    },
    {
      id: 'hotspot-fill', type: 'fill', source: 'hotspots', layout: hidden,
      paint: { 'fill-antialias': false, 'fill-color': ['match', ['get', 'class'], ...Object.entries(HOT_COLOURS).flat(), '#f7f7f7'] as unknown as ExpressionSpecification, 'fill-opacity': 1 },
    },
    { id: 'hotspot-line', type: 'line', source: 'hotspots', layout: hidden, paint: { 'line-color': '#8a96a3', 'line-width': 0.6 } },
    {
      id: 'emerging-fill', type: 'fill', source: 'emerging', layout: hidden, filter: ['!=', ['get', 'category'], 'none'],
      paint: { 'fill-antialias': false, 'fill-color': ['match', ['get', 'category'], ...Object.entries(EMERGING_COLOURS).flat(), '#ffffff'] as unknown as ExpressionSpecification, 'fill-opacity': 0.9 },
    },
    { id: 'emerging-line', type: 'line', source: 'emerging', layout: hidden, paint: { 'line-color': '#5b6672', 'line-width': 0.6 } },
    {
      id: 'incident-heat', type: 'heatmap', source: 'incidents', maxzoom: 18, layout: hidden,
      paint: {
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 13, 14, 16, 32],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.25, 15, 1],
        'heatmap-opacity': 0.85,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
          0, 'rgba(255,255,178,0)', 0.15, 'rgba(254,217,118,0.55)', 0.35, '#feb24c', 0.55, '#fd8d3c', 0.75, '#f03b20', 1, '#bd0026'],
      },
    },
    {
      id: 'wijk-line', type: 'line', source: 'wijken', layout: hidden,
      paint: { 'line-color': '#1f2a37', 'line-width': ['case', ['==', ['feature-state', 'scoped'], true], 3.5, 1.6], 'line-opacity': 0.85 },
    },
    {
      id: 'uncovered-hotspot', type: 'line', source: 'hotspots', layout: hidden, filter: ['in', ['get', 'code'], ['literal', []]],
      paint: { 'line-color': UNCOVERED_COLOUR, 'line-width': 3, 'line-dasharray': [2, 1] },
    },
    { id: 'initiative-fill', type: 'fill', source: 'initiatives', layout: hidden, filter: POLY, paint: { 'fill-antialias': false, 'fill-color': INITIATIVE_COLOUR, 'fill-opacity': 0.12 } },
    { id: 'initiative-line', type: 'line', source: 'initiatives', layout: hidden, filter: POLY, paint: { 'line-color': INITIATIVE_COLOUR, 'line-width': 2, 'line-dasharray': [2, 1.5] } },
    { id: 'initiative-point', type: 'circle', source: 'initiatives', layout: hidden, filter: ['match', ['geometry-type'], ['Point', 'MultiPoint'], true, false], paint: { 'circle-radius': 7, 'circle-color': INITIATIVE_COLOUR, 'circle-opacity': 0.35, 'circle-stroke-color': INITIATIVE_COLOUR, 'circle-stroke-width': 2 } },
    { id: 'camera-cover', type: 'fill', source: 'camera-cover', layout: hidden, paint: { 'fill-antialias': false, 'fill-color': CAMERA_COLOUR, 'fill-opacity': ['case', ['==', ['get', 'status'], 'planned'], 0.1, 0.22] } },
    // Planned cameras' circles dashed, in a layer of their own: a dash pattern chosen per feature
    // would make the worker ask the main thread for it before the tile can be drawn.
    { id: 'camera-cover-line', type: 'line', source: 'camera-cover', layout: hidden, filter: ['!=', ['get', 'status'], 'planned'], paint: { 'line-color': CAMERA_COLOUR, 'line-width': 1.5 } },
    { id: 'camera-cover-planned', type: 'line', source: 'camera-cover', layout: hidden, filter: ['==', ['get', 'status'], 'planned'], paint: { 'line-color': CAMERA_COLOUR, 'line-width': 1.5, 'line-dasharray': [2, 2] } },
    {
      id: 'camera-point', type: 'circle', source: 'cameras', layout: hidden,
      paint: { 'circle-radius': 5, 'circle-color': ['case', ['==', ['get', 'status'], 'planned'], '#ffffff', CAMERA_COLOUR], 'circle-stroke-color': CAMERA_COLOUR, 'circle-stroke-width': 2 },
    },
    { id: 'suggest-cover', type: 'fill', source: 'suggest-cover', layout: hidden, paint: { 'fill-antialias': false, 'fill-color': SUGGEST_COLOUR, 'fill-opacity': 0.12 } },
    { id: 'suggest-point', type: 'line', source: 'suggest-cover', layout: hidden, paint: { 'line-color': SUGGEST_COLOUR, 'line-width': 2, 'line-dasharray': [3, 2] } },
    { id: 'draft-cover', type: 'line', source: 'draft-cover', layout: hidden, paint: { 'line-color': '#000000', 'line-width': 2, 'line-dasharray': [1, 1] } },
    {
      id: 'uncovered-cells', type: 'circle', source: 'uncovered-cells', layout: hidden,
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 1, 13, 1.8, 16, 5], 'circle-color': '#ffffff', 'circle-stroke-color': UNCOVERED_COLOUR, 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 11, 0.6, 14, 1.2] },
    },
    {
      id: 'enforcement-point', type: 'circle', source: 'enforcement', layout: hidden,
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3, 16, 6],
        'circle-color': ['match', ['get', 'outcome'], ...Object.entries(OUTCOME_COLOURS).flat(), '#777777'] as unknown as ExpressionSpecification,
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
      },
    },
    { id: 'buurt-selected', type: 'line', source: 'buurten', layout: hidden, filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#000000', 'line-width': 3.5 } },
    { id: 'buurt-hover', type: 'line', source: 'buurten', layout: hidden, filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#1f2a37', 'line-width': 2 } },
  ];
  // the KDE image goes under the wijk outlines
  layers.splice(layers.findIndex((l) => l.id === 'wijk-line'), 0,
    { id: 'kde-raster', type: 'raster', source: 'kde', layout: hidden, paint: { 'raster-opacity': 0.85, 'raster-fade-duration': 0, 'raster-resampling': 'linear' } });
  return layers as (LayerSpecification & { source: string })[];
}

const LAYER_ORDER = dataLayers();

/** Layers shown whenever their source has features, whatever the layer switches say. */
const ALWAYS = new Set(['buurt-selected', 'buurt-hover']);

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

/** Dark dots on the lavender of a count hidden for this viewer ("< 5"). */
function dotsImage(): ImageData {
  const size = 6;
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const ctx = c.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = SUPPRESSED_COLOUR;
  ctx.fillRect(0, 0, size, size);
  ctx.fillStyle = '#5b4a80';
  ctx.beginPath();
  ctx.arc(size / 2, size / 2, 1.2, 0, 2 * Math.PI);
  ctx.fill();
  return ctx.getImageData(0, 0, size, size);
}

/**
 * The KDE grids as images, by URL. MapLibre fetches an image source's URL with fetch(), and the
 * page's Content-Security-Policy (`connect-src 'self'`) refuses data: URLs; a protocol of our own
 * hands MapLibre the canvas directly instead, with no request at all.
 */
const KDE_PROTOCOL = 'wvkde';
const kdeImages = new Map<string, HTMLCanvasElement>();
let kdeSeq = 0;
addProtocol(KDE_PROTOCOL, async (params) => {
  const canvas = kdeImages.get(params.url);
  if (!canvas) throw new Error(`no KDE image ${params.url}`);
  return { data: await createImageBitmap(canvas) };
});

export interface MapEvents {
  onSelect: (code: string) => void;
  onMove: (lon: number, lat: number, zoom: number) => void;
  /** a click on the map while placing a camera */
  onPlace?: (lon: number, lat: number) => void;
  /** the basemap (meta's `basemap_style_url`) could not be reached: the map fell back to its plain style, or lacks the basemap's tiles */
  onBasemapDown?: () => void;
  /** the tooltip of the buurt under the pointer (its name and value, and whether it is estimated) */
  buurtTitle?: (code: string) => string;
}

/** How long the basemap's style may take before the map goes on without it. */
const BASEMAP_TIMEOUT_MS = 8000;

type GeoSource = { setData(d: unknown): void } | undefined;
/** A buurt's look in the choropleth, set as its feature-state. `cls`: class index, -1 withheld, -2 no value, -3 hidden for this viewer ("< 5"). */
export interface BuurtStyle { colour: string; cls: number; in_scope: boolean }
/**
 * The buurten as the map gets them: the API's properties, whether its count is withheld at the
 * source (`is_withheld`, for the hatching), whether it is hidden for this viewer, for the
 * count and rate (`is_suppressed`) and for the change (`is_suppressed_change`), for the dots, and
 * whether it was carried from another boundary year (`is_estimated`, for the dashed outline).
 */
export type BuurtFeatures = FeatureCollection<Geometry, AreaProps & { is_withheld: boolean; is_suppressed: boolean; is_suppressed_change: boolean; is_estimated: boolean }>;
type FeatureStates = Map<string, Record<string, string | number | boolean>>;
type Corners = [[number, number], [number, number], [number, number], [number, number]];

// The worker starts while the app boots, not when the map is made: its 0.5 MB script is then
// loaded and compiled by the time the first data reaches the map.
setWorkerUrl(new URL('maplibre-gl-worker.js', import.meta.url).href);
prewarm();

/**
 * The dashboard's map. The MapLibre map is made at once (canvas, controls, camera), but it gets
 * its style only in `start()`, which the app calls once the first data is in: the style then
 * carries that data, so the worker parses it with the style and no frame is spent on an empty
 * map. Until then, and after, every setter keeps what it was given here, and hands it to the map
 * when the map has a style.
 */
export class DashboardMap {
  readonly map: MLMap;
  /** resolves when the style (with the data set so far) has loaded */
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => undefined;
  private started = false;
  private loaded = false;
  private labels: Marker[] = [];
  private hoverCode: string | null = null;
  private suggestMarkers: Marker[] = [];
  private draft: Marker | null = null;
  private placing = false;
  private on = new Set<Layer>();
  /** the data of each GeoJSON source */
  private data = new Map<string, FeatureCollection>();
  /** the KDE image, once there is one */
  private kde: { url: string; coordinates: Corners } | null = null;
  /** what each source got when it joined the style, to catch up with once the style has loaded */
  private sent = new Map<string, unknown>();
  /** the feature-states wanted, by source and feature id (`promoteId: 'code'`) */
  private states = new Map<string, FeatureStates>();
  /** the feature-states the map has, as JSON, so that only changed ones are set again */
  private applied = new Map<string, Map<string, string>>();
  private scopedWijk: string | null = null;
  private filters: Record<string, FilterSpecification> = {
    'buurt-selected': ['==', ['get', 'code'], ''],
    'buurt-hover': ['==', ['get', 'code'], ''],
    'uncovered-hotspot': ['in', ['get', 'code'], ['literal', []]],
    'buurt-suppressed': ['==', ['get', 'is_suppressed'], true],
  };

  constructor(container: HTMLElement, bounds: LngLatBoundsLike, private styleUrl: string | null, private ev: MapEvents) {
    this.map = new MLMap({
      container,
      bounds,
      fitBoundsOptions: { padding: 24 },
      attributionControl: false,
      fadeDuration: 0,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: false },
      dragRotate: false,
      pitchWithRotate: false,
      maxPitch: 0,
      // the style is built in code and covered by the browser tests
      validateStyle: false,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.ready = new Promise((resolve) => { this.resolveReady = resolve; });
    this.map.on('moveend', () => {
      const c = this.map.getCenter();
      this.ev.onMove(c.lng, c.lat, this.map.getZoom());
    });
  }

  /** Gives the map its style, with all data set so far. Later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.map.once('style.load', () => {
      this.loaded = true;
      this.map.addImage('hatch', hatchImage(), { pixelRatio: 1 });
      this.map.addImage('dots', dotsImage(), { pixelRatio: 1 });
      this.catchUp();
      this.addEvents();
      performance.mark('wv-map-style');
      this.resolveReady();
    });
    // Over a basemap from a URL our sources and layers go on top of its own.
    if (this.styleUrl) this.startWithBasemap(this.styleUrl);
    else this.map.setStyle(this.withData(baseStyle()));
  }

  /**
   * The style from the basemap's URL, with our data on top. An unreachable basemap must not blank
   * the map: when its style fails to load (or takes too long), the map takes the plain style with
   * the same data; when the style loads but its tiles or other resources fail, our layers still
   * draw. Either way `onBasemapDown` tells the app, which says so on the map.
   */
  private startWithBasemap(url: string): void {
    const m = this.map;
    let down = false;
    const report = (): void => {
      if (down) return;
      down = true;
      this.ev.onBasemapDown?.();
    };
    const fallback = (): void => {
      window.clearTimeout(timer);
      if (this.loaded) return;
      report();
      m.setStyle(this.withData(baseStyle()));
    };
    const timer = window.setTimeout(fallback, BASEMAP_TIMEOUT_MS);
    // A listener also keeps MapLibre from logging these errors to the console.
    m.on('error', (e) => {
      if (!this.loaded) { fallback(); return; }
      // ours are in memory: an error of another source (or of sprites, glyphs) is the basemap's
      const sourceId = (e as { sourceId?: string }).sourceId;
      if (!sourceId || ![...SOURCES, 'kde'].includes(sourceId)) report();
    });
    m.setStyle(url, { transformStyle: (_prev, next) => this.withData(next) });
  }

  /** Hands the map what was set while its style loaded. */
  private catchUp(): void {
    const m = this.map;
    for (const id of [...SOURCES, 'kde']) {
      if (!m.getSource(id)) {
        if (this.has(id)) this.addSource(id);
      } else if (id === 'kde') {
        if (this.kde && this.kde !== this.sent.get(id)) (m.getSource(id) as ImageSource).updateImage(this.kde);
      } else if (this.data.get(id) !== this.sent.get(id)) (m.getSource(id) as GeoSource)?.setData(this.data.get(id) ?? EMPTY);
    }
    for (const [id, filter] of Object.entries(this.filters)) if (m.getLayer(id)) m.setFilter(id, filter);
    for (const id of this.states.keys()) this.applyStates(id);
    this.applyVisibility();
  }

  /**
   * `style` with those of our sources that have data, and their layers (with the visibility and
   * filters they have now). A source and its layers join the map with its first data
   * (`setSource`): an empty source would cost the worker a round trip and the map a frame.
   */
  private withData(style: StyleSpecification): StyleSpecification {
    const sources: Record<string, SourceSpecification> = {};
    for (const id of [...SOURCES, 'kde']) if (this.has(id)) sources[id] = this.sourceSpec(id);
    const layers = this.layerSpecs().filter((l) => sources[l.source]);
    return { ...style, sources: { ...style.sources, ...sources }, layers: [...style.layers, ...layers] };
  }

  private sourceSpec(id: string): SourceSpecification {
    if (id === 'kde' && this.kde) {
      this.sent.set(id, this.kde);
      return { type: 'image', ...this.kde };
    }
    const data = this.data.get(id) ?? EMPTY;
    this.sent.set(id, data);
    return { type: 'geojson', data, promoteId: id === 'buurten' || id === 'wijken' ? 'code' : undefined };
  }

  /** All our layers in order, bottom to top, as they should be now. */
  private layerSpecs(): (LayerSpecification & { source: string })[] {
    return LAYER_ORDER.map((l) => {
      const filter = this.filters[l.id];
      return { ...l, ...(filter ? { filter } : {}), layout: { ...l.layout, visibility: this.visibility(l.id, l.source) } } as LayerSpecification & { source: string };
    });
  }

  /** Adds a source that got its first data, with its layers in their place. */
  private addSource(id: string): void {
    const m = this.map;
    m.addSource(id, this.sourceSpec(id));
    const specs = this.layerSpecs();
    specs.forEach((l, i) => {
      if (l.source !== id || m.getLayer(l.id)) return;
      const before = specs.slice(i + 1).find((x) => m.getLayer(x.id))?.id;
      m.addLayer(l, before);
    });
    this.applyStates(id);
  }

  /** Sets the feature-states of a source that differ from what the map has. */
  private applyStates(source: string): void {
    const want = this.states.get(source);
    if (!want || !this.loaded || !this.map.getSource(source)) return;
    let have = this.applied.get(source);
    if (!have) this.applied.set(source, (have = new Map()));
    for (const [id, st] of want) {
      const json = JSON.stringify(st);
      if (have.get(id) === json) continue;
      this.map.setFeatureState({ source, id }, st);
      have.set(id, json);
    }
  }

  private setStates(source: string, states: FeatureStates): void {
    this.states.set(source, states);
    this.applyStates(source);
  }

  private addEvents(): void {
    const m = this.map;
    m.on('click', (e) => {
      if (this.placing) { this.ev.onPlace?.(e.lngLat.lng, e.lngLat.lat); return; }
      const layers = ['buurt-fill', 'hotspot-fill', 'emerging-fill'].filter((l) => m.getLayer(l) && m.getLayoutProperty(l, 'visibility') !== 'none');
      const f = layers.length ? m.queryRenderedFeatures(e.point, { layers })[0] : undefined;
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
        this.setFilter('buurt-hover', ['==', ['get', 'code'], code ?? '']);
        m.getCanvas().title = code && layer === 'buurt-fill' ? this.ev.buurtTitle?.(code) ?? '' : '';
      }
      m.getCanvas().style.cursor = this.placing ? 'crosshair' : 'pointer';
    });
    m.on('mouseleave', layer, () => {
      this.hoverCode = null;
      m.getCanvas().title = '';
      this.setFilter('buurt-hover', ['==', ['get', 'code'], '']);
      m.getCanvas().style.cursor = this.placing ? 'crosshair' : '';
    });
  }

  /** Sets a GeoJSON source's data and shows or hides its layers by whether it has features. */
  private setSource(id: string, fc: FeatureCollection): void {
    if (this.data.get(id) === fc) return; // nothing new for the worker
    this.data.set(id, fc);
    if (!this.loaded) return;
    const src = this.map.getSource(id) as GeoSource;
    if (src) src.setData(fc);
    else if (fc.features.length) this.addSource(id);
    this.applyVisibility();
  }

  private has(source: string): boolean {
    return source === 'kde' ? this.kde !== null : (this.data.get(source)?.features.length ?? 0) > 0;
  }

  /** A layer is visible when its switch is on (or it is a selection outline) and its source has something to draw. */
  private visibility(id: string, source: string): 'visible' | 'none' {
    const group = GROUP_OF[id];
    return (group ? this.on.has(group) : ALWAYS.has(id)) && this.has(source) ? 'visible' : 'none';
  }

  /** Hidden layers keep their sources from loading tiles: nothing is drawn for an empty source. */
  private applyVisibility(): void {
    if (!this.loaded) return;
    const m = this.map;
    for (const id of [...Object.keys(GROUP_OF), ...ALWAYS]) {
      const layer = m.getLayer(id);
      if (!layer) continue;
      const v = this.visibility(id, layer.source);
      if (m.getLayoutProperty(id, 'visibility') !== v) m.setLayoutProperty(id, 'visibility', v);
    }
  }

  private setFilter(id: string, filter: FilterSpecification): void {
    this.filters[id] = filter;
    if (this.loaded && this.map.getLayer(id)) this.map.setFilter(id, filter);
  }

  setHotspots(fc: Hotspots | null): void {
    this.setSource('hotspots', fc ?? EMPTY);
  }

  setEmerging(fc: Emerging | null): void {
    this.setSource('emerging', fc ?? EMPTY);
  }

  /** The KDE grid as an image source under the wijk outlines (added on first use). */
  setKde(k: Kde | null): void {
    const m = this.map;
    if (!k || k.nx <= 0 || k.ny <= 0 || k.corners.length !== 4) {
      this.kde = null;
      this.applyVisibility();
      return;
    }
    if (this.kde) kdeImages.delete(this.kde.url);
    const url = `${KDE_PROTOCOL}://grid/${++kdeSeq}`;
    kdeImages.set(url, kdeCanvas(k));
    this.kde = { url, coordinates: k.corners as Corners };
    if (!this.loaded) return;
    const src = m.getSource('kde') as ImageSource | undefined;
    if (src) src.updateImage(this.kde);
    else this.addSource('kde');
    this.applyVisibility();
  }

  /** Outlines the hotspot buurten no camera sees and marks uncovered hotspot cells. */
  setUncovered(codes: string[], cells: { lon: number; lat: number; density?: number | null }[]): void {
    this.setFilter('uncovered-hotspot', ['in', ['get', 'code'], ['literal', codes]]);
    this.setSource('uncovered-cells', {
      type: 'FeatureCollection',
      features: cells.map((c) => ({ type: 'Feature', properties: { density: c.density ?? null }, geometry: { type: 'Point', coordinates: [c.lon, c.lat] } })),
    });
  }

  /** Suggested camera sites: a dashed coverage circle and a numbered marker each. */
  setSuggestions(sites: { lon: number; lat: number; gain: number }[], radiusM: number, label: (i: number) => string): void {
    this.setSource('suggest-cover', {
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
    this.setSource('draft-cover', pos ? { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: circlePolygon(pos, radiusM) }] } : EMPTY);
    if (!pos) { this.draft?.remove(); this.draft = null; return; }
    if (!this.draft) {
      const el = document.createElement('div');
      el.className = 'draft-marker';
      el.setAttribute('aria-hidden', 'true');
      this.draft = new Marker({ element: el, draggable: true, anchor: 'center' }).setLngLat(pos).addTo(this.map);
      this.draft.on('drag', () => {
        const p = this.draft?.getLngLat();
        if (p) this.setSource('draft-cover', { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: circlePolygon([p.lng, p.lat], this.draftRadius) }] });
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

  /** The buurt geometries and figures: new data (a period or crime type), sent to the worker. */
  setBuurten(fc: BuurtFeatures): void {
    this.setSource('buurten', fc);
  }

  /** The choropleth's colours and scope per buurt code: feature-state, no new data for the worker. */
  setBuurtStyles(styles: Map<string, BuurtStyle>): void {
    this.setStates('buurten', styles as unknown as FeatureStates);
  }

  /** The wijk outlines and their HTML labels; the same collection again does nothing. */
  setWijken(fc: FeatureCollection<Geometry, AreaProps>): void {
    if (this.data.get('wijken') === fc) return;
    this.setSource('wijken', fc);
    for (const m of this.labels) m.remove();
    this.labels = fc.features.map((f) => {
      const el = document.createElement('div');
      el.className = 'wijk-label';
      el.dataset.code = f.properties.code;
      el.textContent = f.properties.name;
      el.setAttribute('aria-hidden', 'true');
      el.hidden = !this.on.has('wijken');
      return new Marker({ element: el, anchor: 'center' }).setLngLat(labelPoint(f.geometry)).addTo(this.map);
    });
    this.setScopedWijk(this.scopedWijk);
  }

  /** Draws the wijk in scope (or none) with a heavier outline and label. */
  setScopedWijk(code: string | null): void {
    this.scopedWijk = code;
    const fc = this.data.get('wijken') as FeatureCollection<Geometry, AreaProps> | undefined;
    this.setStates('wijken', new Map((fc?.features ?? []).map((f) => [f.properties.code, { scoped: f.properties.code === code }])));
    for (const m of this.labels) {
      const el = m.getElement();
      el.classList.toggle('scoped', el.dataset.code === code);
    }
  }

  setCameras(fc: FeatureCollection<Point, CameraProps>): void {
    const cover: Feature<Polygon, CameraProps>[] = fc.features.map((f) => ({
      type: 'Feature', properties: f.properties,
      geometry: circlePolygon(f.geometry.coordinates as [number, number], f.properties.radius_m),
    }));
    this.setSource('cameras', fc);
    this.setSource('camera-cover', { type: 'FeatureCollection', features: cover });
  }

  setEnforcement(fc: FeatureCollection<Point, EnforcementProps>): void {
    this.setSource('enforcement', fc);
  }

  setInitiatives(fc: FeatureCollection<Geometry, InitiativeProps>): void {
    this.setSource('initiatives', fc);
  }

  setIncidents(fc: FeatureCollection<Point, IncidentProps>): void {
    this.setSource('incidents', fc);
  }

  setLayers(on: Set<Layer>): void {
    this.on = new Set(on);
    for (const mk of this.suggestMarkers) mk.getElement().hidden = !on.has('cameras');
    this.applyVisibility();
    for (const m of this.labels) m.getElement().hidden = !on.has('wijken');
  }

  /** Which buurten get the dots of a hidden count: those whose metric value is hidden (the change also when the previous count is). */
  setSuppressedBy(change: boolean): void {
    const filter: FilterSpecification = ['==', ['get', change ? 'is_suppressed_change' : 'is_suppressed'], true];
    if (JSON.stringify(filter) !== JSON.stringify(this.filters['buurt-suppressed'])) this.setFilter('buurt-suppressed', filter);
  }

  setSelected(code: string | null): void {
    this.setFilter('buurt-selected', ['==', ['get', 'code'], code ?? '']);
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
