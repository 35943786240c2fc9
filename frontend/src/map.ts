// The MapLibre map: buurt choropleth, wijk and gemeente outlines and labels, incident heatmap,
// cameras with coverage circles in metres, enforcement by outcome and watch-initiative areas. It
// exists to keep MapLibre behind one small API. The areas are drawn from the server's vector tiles
// (issue #12: geometry and codes only, the same for every user, by boundary year); the app hands
// the map the figures by tile id, which become feature-state (the choropleth's class colours, the
// scope of a wijk, the hotspot classes): a new metric, period or analysis recolours the tiles and
// never re-sends a geometry. Points and the planning overlays stay GeoJSON, sent to the map's
// worker only when they changed.
import { addProtocol, Map as MLMap, Marker, NavigationControl, prewarm, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { ExpressionSpecification, FilterSpecification, ImageSource, PointLike, VectorTileSource, LayerSpecification, LngLatBoundsLike, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, Point, Polygon } from 'geojson';
import type { CameraProps, EnforcementProps, IncidentProps, InitiativeProps, Emerging, Hotspots, Kde, TileSet } from './api';
import { EMERGING_COLOURS, HOT_COLOURS, kdeCanvas } from './kde';
import { bboxOf, circlePolygon, type BBox } from './geo';
import { SUPPRESSED_COLOUR } from './classify';
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
const CLEAR = 'rgba(0,0,0,0)';
/** The thin outline of an area without figures for this view (another gemeente, or not visible to this user). */
export const NO_FIGURES_LINE = '#8a96a3';

/** The vector tile sources, by level; each tile has the layers `areas` (polygons) and `labels` (points). */
const TILE_SOURCE = { buurt: 'buurt-tiles', wijk: 'wijk-tiles', gemeente: 'gemeente-tiles' } as const;
type Level = keyof typeof TILE_SOURCE;
const TILE_SOURCES: string[] = Object.values(TILE_SOURCE);
const AREAS = 'areas';
const LABELS = 'labels';

const LAYER_IDS: Record<Layer, string[]> = {
  choropleth: ['buurt-fill', 'buurt-withheld', 'buurt-suppressed', 'buurt-line', 'buurt-estimated', 'buurt-label'],
  hotspots: ['hotspot-fill', 'hotspot-line', 'uncovered-hotspot'],
  emerging: ['emerging-fill', 'emerging-line'],
  kde: ['kde-raster'],
  wijken: ['wijk-line', 'wijk-label'],
  heatmap: ['incident-heat'],
  cameras: ['camera-cover', 'camera-cover-line', 'camera-cover-planned', 'camera-point', 'suggest-cover', 'suggest-point', 'uncovered-cells', 'draft-cover'],
  enforcement: ['enforcement-point'],
  initiatives: ['initiative-fill', 'initiative-line', 'initiative-point'],
};

const GROUP_OF: Record<string, Layer> = Object.fromEntries(
  (Object.entries(LAYER_IDS) as [Layer, string[]][]).flatMap(([group, ids]) => ids.map((id) => [id, group])));

/** Our GeoJSON sources; each joins the map's style with its first features. */
const SOURCES = ['incidents', 'camera-cover', 'cameras', 'enforcement', 'initiatives', 'suggest-cover', 'uncovered-cells', 'draft-cover'];
/** Every source of ours: the tiles, the GeoJSON and the KDE image. */
const OUR_SOURCES = [...TILE_SOURCES, ...SOURCES, 'kde'];

/** A feature-state of the buurt tiles is set (the buurt has figures in this view). */
const HAS = (key: string): ExpressionSpecification => ['!=', ['feature-state', key], null];
const OUT_OF_WIJK: ExpressionSpecification = ['==', ['feature-state', 'in_scope'], false];
const CLS = (c: number): ExpressionSpecification => ['==', ['feature-state', 'cls'], c];
/** Labels: MapLibre draws the text itself (no glyph server: the style has no `glyphs`, so every glyph is drawn locally). */
const LABEL_FONT = ['Noto Sans Bold', 'sans-serif'];
const labelLayout = (size: number, sortKey: boolean): Record<string, unknown> => ({
  'text-field': ['get', 'name'],
  'text-font': LABEL_FONT,
  'text-size': size,
  // collision detection is on (no text-allow-overlap): a label that would overlap another moves
  // to another anchor around its point, or is left out; the more important one (rank) goes first
  'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'],
  'text-radial-offset': 0.6,
  'text-justify': 'auto',
  'text-padding': 4,
  'text-max-width': 9,
  ...(sortKey ? { 'symbol-sort-key': ['get', 'rank'] } : {}),
});

/**
 * Below this zoom (the country and the province) the buurten are a few pixels wide: the hatching,
 * the dots and the dashed outline would not show, and every layer whose look depends on
 * feature-state costs the map time per tile and buurt. There the class colour says it alone
 * (withheld grey, "< 5" lavender).
 */
const OVERLAY_MINZOOM = 9;

/**
 * The map's layers, bottom to top, with the KDE image source's raster. A layer is shown only
 * while its group is on and its source is there (`DashboardMap.visibility`), so no source loads
 * tiles for nothing. Fills draw no antialiasing outline of their own (`fill-antialias: false`):
 * each has a line layer on its edges, and the outline pass would cost a draw call and a shader
 * per fill layer. Areas without figures (no feature-state) get no fill and a thin grey outline:
 * "no figures here", never a value.
 */
function dataLayers(): (LayerSpecification & { source: string })[] {
  const hidden = { visibility: 'none' } as const;
  const buurt = { source: TILE_SOURCE.buurt, 'source-layer': AREAS, layout: hidden };
  const layers: LayerSpecification[] = [
    {
      id: 'buurt-fill', type: 'fill', ...buurt,
      // colour and scope are feature-state (DashboardMap.setBuurtStyles): new figures or a new metric recolour the tiles
      paint: { 'fill-antialias': false, 'fill-color': ['coalesce', ['feature-state', 'colour'], CLEAR], 'fill-opacity': ['case', OUT_OF_WIJK, 0.3, 1] },
    },
    {
      // withheld at the source: hatched
      id: 'buurt-withheld', type: 'fill', ...buurt, minzoom: OVERLAY_MINZOOM,
      paint: { 'fill-antialias': false, 'fill-pattern': 'hatch', 'fill-opacity': ['case', CLS(-1), ['case', OUT_OF_WIJK, 0.35, 1], 0] },
    },
    {
      // counts hidden for this viewer ("< 5"): dots over the lavender of their class
      id: 'buurt-suppressed', type: 'fill', ...buurt, minzoom: OVERLAY_MINZOOM,
      paint: { 'fill-antialias': false, 'fill-pattern': 'dots', 'fill-opacity': ['case', CLS(-3), ['case', OUT_OF_WIJK, 0.35, 1], 0] },
    },
    {
      // not at the country's scale: 10,000 outlines there halve the frame rate and show as a haze
      id: 'buurt-line', type: 'line', ...buurt, minzoom: 8,
      paint: {
        'line-color': ['case', HAS('colour'), '#ffffff', NO_FIGURES_LINE],
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.5, 15, 1.5],
        // areas without figures: a faint mesh at the province's scale, a thin outline closer in
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 8, ['case', HAS('colour'), 0.9, 0.15], 11, ['case', HAS('colour'), 0.9, 0.5]],
      },
    },
    {
      // figures carried from another boundary year (issue #11): a dashed outline
      id: 'buurt-estimated', type: 'line', ...buurt, minzoom: OVERLAY_MINZOOM,
      paint: { 'line-color': ESTIMATED_COLOUR, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1, 15, 2], 'line-dasharray': [2, 1.5], 'line-opacity': ['case', ['==', ['feature-state', 'estimated'], true], 0.9, 0] },
    },
    {
      // Gi* classes (DashboardMap.setHotspots): feature-state `hot`, the class colour
      id: 'hotspot-fill', type: 'fill', ...buurt,
      paint: { 'fill-antialias': false, 'fill-color': ['coalesce', ['feature-state', 'hot'], CLEAR] },
    },
    { id: 'hotspot-line', type: 'line', ...buurt, paint: { 'line-color': '#8a96a3', 'line-width': 0.6, 'line-opacity': ['case', HAS('hot'), 1, 0] } },
    {
      // emerging hot spot categories (DashboardMap.setEmerging): feature-state `em`, the category colour
      id: 'emerging-fill', type: 'fill', ...buurt,
      paint: { 'fill-antialias': false, 'fill-color': ['coalesce', ['feature-state', 'em'], CLEAR], 'fill-opacity': 0.9 },
    },
    { id: 'emerging-line', type: 'line', ...buurt, paint: { 'line-color': '#5b6672', 'line-width': 0.6, 'line-opacity': ['case', HAS('em_in'), 1, 0] } },
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
      // the gemeenten's borders, at every scale (also with the wijken switched off)
      id: 'gemeente-line', type: 'line', source: TILE_SOURCE.gemeente, 'source-layer': AREAS, layout: hidden,
      paint: { 'line-color': '#5b6672', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 10, 1.2, 14, 2.5], 'line-opacity': 0.8 },
    },
    {
      // the wijken of the view (feature-state `in`) dark, the one in scope heavier; others thin and grey
      id: 'wijk-line', type: 'line', source: TILE_SOURCE.wijk, 'source-layer': AREAS, minzoom: 8, layout: hidden,
      paint: {
        'line-color': ['case', HAS('in'), '#1f2a37', NO_FIGURES_LINE],
        'line-width': ['case', ['==', ['feature-state', 'scoped'], true], 3.5, HAS('in'), 1.6, 0.6],
        'line-opacity': 0.85,
      },
    },
    {
      id: 'uncovered-hotspot', type: 'line', ...buurt, filter: ['in', ['get', 'code'], ['literal', []]],
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
    { id: 'buurt-selected', type: 'line', ...buurt, filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#000000', 'line-width': 3.5 } },
    { id: 'buurt-hover', type: 'line', ...buurt, filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#1f2a37', 'line-width': 2 } },
    // Labels last, above everything. One point per area (the tiles' `labels` layer, at its pole of
    // inaccessibility); MapLibre's collision detection keeps them apart.
    {
      // the gemeenten's names at the scale of the country and the province
      id: 'gemeente-label', type: 'symbol', source: TILE_SOURCE.gemeente, 'source-layer': LABELS, maxzoom: 10.5,
      layout: { ...labelLayout(12, true), visibility: 'none' } as LayerSpecification['layout'],
      paint: { 'text-color': '#374151', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 },
    },
    {
      // the wijken of the gemeente in view (filtered by gemeente code, DashboardMap.setGemeente)
      id: 'wijk-label', type: 'symbol', source: TILE_SOURCE.wijk, 'source-layer': LABELS, minzoom: 10,
      layout: { ...labelLayout(12, true), visibility: 'none' } as LayerSpecification['layout'],
      paint: { 'text-color': '#111827', 'text-halo-color': '#ffffff', 'text-halo-width': ['case', ['==', ['feature-state', 'scoped'], true], 2.6, 1.8] },
    },
    {
      // buurt names close in, below the wijk names in importance
      id: 'buurt-label', type: 'symbol', source: TILE_SOURCE.buurt, 'source-layer': LABELS, minzoom: 14,
      layout: { ...labelLayout(11, true), visibility: 'none' } as LayerSpecification['layout'],
      paint: { 'text-color': '#1f2937', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
    },
  ];
  // the KDE image goes under the outlines
  layers.splice(layers.findIndex((l) => l.id === 'gemeente-line'), 0,
    { id: 'kde-raster', type: 'raster', source: 'kde', layout: hidden, paint: { 'raster-opacity': 0.85, 'raster-fade-duration': 0, 'raster-resampling': 'linear' } });
  return layers as (LayerSpecification & { source: string })[];
}

const LAYER_ORDER = dataLayers();

/** Layers shown whenever their source is there, whatever the layer switches say. */
const ALWAYS = new Set(['buurt-selected', 'buurt-hover', 'gemeente-line', 'gemeente-label']);

function baseStyle(): StyleSpecification {
  // No basemap tiles, glyphs or sprites: everything works offline. Without `glyphs`, MapLibre
  // draws the labels' glyphs itself, in the browser's own sans-serif.
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
/**
 * A buurt's look in the choropleth, set as its feature-state on the buurt tiles. `cls`: class
 * index, -1 withheld (hatched), -2 no value, -3 hidden for this viewer ("< 5", dots);
 * `estimated`: carried from another boundary year (dashed outline).
 */
export interface BuurtStyle { colour: string; cls: number; in_scope: boolean; estimated?: boolean }
type StateValue = string | number | boolean;
type FeatureStates = Map<number, Record<string, StateValue>>;
type Corners = [[number, number], [number, number], [number, number], [number, number]];
/** Where a group of feature-states goes: the tile source and its layers (`areas`, and `labels` for a label's look). */
interface StateGroup { source: string; layers: string[]; want: FeatureStates }
/** The areas of the view as the map gets them: tile id, CBS code. */
export interface AreaRef { id: number; code: string }

// The worker starts while the app boots, not when the map is made: its 0.5 MB script is then
// loaded and compiled by the time the first data reaches the map.
setWorkerUrl(new URL('maplibre-gl-worker.js', import.meta.url).href);
prewarm();

/** A feature-state as text, to tell whether it changed. */
const stateJson = (st: Record<string, StateValue>): string => JSON.stringify(st);

/**
 * The dashboard's map. The MapLibre map is made at once (canvas, controls, camera), but it gets
 * its style only in `start()`, which the app calls once it knows the vector tiles (/api/tiles):
 * the tiles then load while the figures are still on their way, and the figures colour them as
 * feature-state when they come. Until then, and after, every setter keeps what it was given
 * here, and hands it to the map when the map has a style.
 */
export class DashboardMap {
  readonly map: MLMap;
  /** resolves when the style (with the data set so far) has loaded */
  readonly ready: Promise<void>;
  private resolveReady: () => void = () => undefined;
  private started = false;
  private loaded = false;
  private hoverCode: string | null = null;
  private suggestMarkers: Marker[] = [];
  private draft: Marker | null = null;
  private placing = false;
  private on = new Set<Layer>();
  /** the vector tiles (null until /api/tiles has answered, or when it failed) */
  private tiles: TileSet | null = null;
  /** the data of each GeoJSON source */
  private data = new Map<string, FeatureCollection>();
  /** the KDE image, once there is one */
  private kde: { url: string; coordinates: Corners } | null = null;
  /** what each source got when it joined the style, to catch up with once the style has loaded */
  private sent = new Map<string, unknown>();
  /** the feature-states wanted, by group (choropleth, wijken, hotspots, emerging), by tile id */
  private states = new Map<string, StateGroup>();
  /** the feature-states the map has, by group and tile id, so that only changed ones are set again and gone ones removed */
  private applied = new Map<string, Map<number, Record<string, StateValue>>>();
  /** the wijken of the view, and the one in scope */
  private wijken: AreaRef[] = [];
  private scopedWijk: string | null = null;
  private filters: Record<string, FilterSpecification> = {
    'buurt-selected': ['==', ['get', 'code'], ''],
    'buurt-hover': ['==', ['get', 'code'], ''],
    'uncovered-hotspot': ['in', ['get', 'code'], ['literal', []]],
  };

  constructor(container: HTMLElement, bounds: LngLatBoundsLike, private styleUrl: string | null, private ev: MapEvents) {
    this.map = new MLMap({
      container,
      bounds,
      fitBoundsOptions: { padding: 24 },
      attributionControl: false,
      fadeDuration: 0,
      // No preserved drawing buffer: keeping it makes the browser copy the whole canvas every
      // frame, which software WebGL pays for in frame rate. `snapshot` draws a frame and reads it
      // in the same task instead, while the buffer still holds it.
      canvasContextAttributes: { preserveDrawingBuffer: false, antialias: false },
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
      // an error of another source (or of sprites, glyphs) is the basemap's
      const sourceId = (e as { sourceId?: string }).sourceId;
      if (!sourceId || !OUR_SOURCES.includes(sourceId)) report();
    });
    m.setStyle(url, { transformStyle: (_prev, next) => this.withData(next) });
  }

  /** Hands the map what was set while its style loaded. */
  private catchUp(): void {
    const m = this.map;
    for (const id of OUR_SOURCES) {
      if (!m.getSource(id)) {
        if (this.has(id)) this.addSource(id);
      } else if (id === 'kde') {
        if (this.kde && this.kde !== this.sent.get(id)) (m.getSource(id) as ImageSource).updateImage(this.kde);
      } else if (SOURCES.includes(id) && this.data.get(id) !== this.sent.get(id)) (m.getSource(id) as GeoSource)?.setData(this.data.get(id) ?? EMPTY);
    }
    for (const [id, filter] of Object.entries(this.filters)) if (m.getLayer(id)) m.setFilter(id, filter);
    for (const g of this.states.keys()) this.applyStates(g);
    this.applyVisibility();
  }

  /**
   * `style` with those of our sources that have data, and their layers (with the visibility and
   * filters they have now). A GeoJSON source and its layers join the map with its first data
   * (`setSource`): an empty source would cost the worker a round trip and the map a frame.
   */
  private withData(style: StyleSpecification): StyleSpecification {
    const sources: Record<string, SourceSpecification> = {};
    for (const id of OUR_SOURCES) if (this.has(id)) sources[id] = this.sourceSpec(id);
    const layers = this.layerSpecs().filter((l) => sources[l.source]);
    return { ...style, sources: { ...style.sources, ...sources }, layers: [...style.layers, ...layers] };
  }

  private sourceSpec(id: string): SourceSpecification {
    if (id === 'kde' && this.kde) {
      this.sent.set(id, this.kde);
      return { type: 'image', ...this.kde };
    }
    const level = (Object.keys(TILE_SOURCE) as Level[]).find((l) => TILE_SOURCE[l] === id);
    const ts = this.tiles;
    const url = level && ts?.tiles[level];
    if (ts && url) {
      const b = ts.bounds;
      return {
        type: 'vector', tiles: [`${location.origin}${url}`], minzoom: ts.minzoom, maxzoom: ts.maxzoom,
        ...(b.length === 4 ? { bounds: b as [number, number, number, number] } : {}),
      };
    }
    const data = this.data.get(id) ?? EMPTY;
    this.sent.set(id, data);
    return { type: 'geojson', data };
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
    for (const [g, st] of this.states) if (st.source === id) this.applyStates(g);
  }

  /**
   * Sets the feature-states of a group that differ from what the map has, and removes the keys of
   * those no longer wanted (an area that left the view is drawn without figures again).
   */
  private applyStates(group: string): void {
    const g = this.states.get(group);
    if (!g || !this.loaded || !this.map.getSource(g.source)) return;
    let have = this.applied.get(group);
    if (!have) this.applied.set(group, (have = new Map()));
    const m = this.map;
    for (const [id, st] of have) {
      if (g.want.has(id)) continue;
      for (const sourceLayer of g.layers) for (const key of Object.keys(st)) m.removeFeatureState({ source: g.source, sourceLayer, id }, key);
      have.delete(id);
    }
    for (const [id, st] of g.want) {
      const old = have.get(id);
      if (old && stateJson(old) === stateJson(st)) continue;
      for (const sourceLayer of g.layers) {
        if (old) for (const key of Object.keys(old)) if (!(key in st)) m.removeFeatureState({ source: g.source, sourceLayer, id }, key);
        m.setFeatureState({ source: g.source, sourceLayer, id }, st);
      }
      have.set(id, st);
    }
  }

  /** Whether a group of feature-states (choropleth, wijken, hotspots, emerging) is on the map. */
  hasStates(group: string): boolean {
    return (this.applied.get(group)?.size ?? 0) > 0;
  }

  private setStates(group: string, source: string, layers: string[], want: FeatureStates): void {
    this.states.set(group, { source, layers, want });
    this.applyStates(group);
  }

  /** The area under a map event, of the layers that select, when it has figures (or an analysis class) in this view. */
  private areaAt(point: PointLike): string | undefined {
    const m = this.map;
    const layers = ['buurt-fill', 'hotspot-fill', 'emerging-fill'].filter((l) => m.getLayer(l) && m.getLayoutProperty(l, 'visibility') !== 'none');
    if (!layers.length) return undefined;
    const f = m.queryRenderedFeatures(point, { layers }).find((x) => x.state.colour != null || x.state.hot != null || x.state.em_in != null);
    return f?.properties.code as string | undefined;
  }

  private addEvents(): void {
    const m = this.map;
    m.on('click', (e) => {
      if (this.placing) { this.ev.onPlace?.(e.lngLat.lng, e.lngLat.lat); return; }
      const code = this.areaAt(e.point);
      if (code) this.ev.onSelect(code);
    });
    m.on('mousemove', (e) => {
      const code = this.areaAt(e.point) ?? null;
      if (code !== this.hoverCode) {
        this.hoverCode = code;
        this.setFilter('buurt-hover', ['==', ['get', 'code'], code ?? '']);
        m.getCanvas().title = code ? this.ev.buurtTitle?.(code) ?? '' : '';
      }
      m.getCanvas().style.cursor = this.placing ? 'crosshair' : code ? 'pointer' : '';
    });
    m.on('mouseout', () => {
      if (this.hoverCode === null) return;
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
    if (source === 'kde') return this.kde !== null;
    const level = (Object.keys(TILE_SOURCE) as Level[]).find((l) => TILE_SOURCE[l] === source);
    if (level) return !!this.tiles?.tiles[level];
    return (this.data.get(source)?.features.length ?? 0) > 0;
  }

  /** A layer is visible when its switch is on (or it is always shown) and its source has something to draw. */
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

  /**
   * The vector tiles of the boundary year shown (/api/tiles): the areas' geometry for the
   * choropleth, the outlines and the labels. Set before `start()`; the same tiles again do nothing.
   */
  setTiles(ts: TileSet): void {
    if (this.tiles?.generation === ts.generation && this.tiles.boundary_year === ts.boundary_year) return;
    this.tiles = ts;
    if (!this.loaded) return;
    for (const id of TILE_SOURCES) {
      const src = this.map.getSource(id) as VectorTileSource | undefined;
      const spec = this.has(id) ? this.sourceSpec(id) : null;
      // a new generation (an import changed the areas): the same source, new tile URLs
      if (src && spec?.type === 'vector' && spec.tiles) src.setTiles(spec.tiles);
      else if (!src && spec) this.addSource(id);
    }
    this.applyVisibility();
  }

  /**
   * The gemeente in view (its CBS code, `GM0141`), or null for every gemeente: the wijk and buurt
   * names are those of the gemeente only (the tiles hold every gemeente's); outlines show all.
   */
  setGemeente(code: string | null): void {
    const digits = code?.replace(/^GM/, '') ?? '';
    // a wijk code is WK + the gemeente's 4 digits + 2, a buurt code BU + 4 + 4
    const f = (prefix: string): FilterSpecification => (digits ? ['==', ['slice', ['get', 'code'], 0, 6], `${prefix}${digits}`] : ['has', 'code']);
    this.setFilter('wijk-label', f('WK'));
    this.setFilter('buurt-label', f('BU'));
  }

  /** The Gi* classes as feature-state of the buurt tiles (the analysis sends its areas without geometry, by tile id). */
  setHotspots(fc: Hotspots | null): void {
    const want: FeatureStates = new Map();
    for (const f of fc?.features ?? []) want.set(f.properties.id, { hot: HOT_COLOURS[f.properties.class] ?? '#f7f7f7' });
    this.setStates('hotspots', TILE_SOURCE.buurt, [AREAS], want);
  }

  /** The emerging hot spot categories as feature-state of the buurt tiles. */
  setEmerging(fc: Emerging | null): void {
    const want: FeatureStates = new Map();
    for (const f of fc?.features ?? []) {
      const c = f.properties.category;
      want.set(f.properties.id, c !== 'none' && EMERGING_COLOURS[c] ? { em: EMERGING_COLOURS[c], em_in: true } : { em_in: true });
    }
    this.setStates('emerging', TILE_SOURCE.buurt, [AREAS], want);
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

  /**
   * The choropleth's look per buurt, by tile id: feature-state of the buurt tiles. New figures,
   * a new metric or wijk recolour the tiles; buurten without figures are drawn as such.
   */
  setBuurtStyles(styles: Map<number, BuurtStyle>): void {
    this.setStates('choropleth', TILE_SOURCE.buurt, [AREAS], styles as unknown as FeatureStates);
  }

  /** The wijken of the view (with figures): drawn dark, the others of the tiles thin and grey. */
  setWijken(wijken: AreaRef[]): void {
    this.wijken = wijken;
    this.setScopedWijk(this.scopedWijk);
  }

  /** Draws the wijk in scope (or none) with a heavier outline and label. */
  setScopedWijk(code: string | null): void {
    this.scopedWijk = code;
    this.setStates('wijken', TILE_SOURCE.wijk, [AREAS, LABELS], new Map(this.wijken.map((w) => [w.id, { in: true, scoped: w.code === code }])));
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
  }

  setSelected(code: string | null): void {
    this.setFilter('buurt-selected', ['==', ['get', 'code'], code ?? '']);
  }

  /**
   * The bounds of an area of the tiles as far as they are loaded (its pieces in every loaded
   * tile), or null when none of it is.
   */
  areaBounds(code: string): BBox | null {
    if (!this.loaded || !this.map.getSource(TILE_SOURCE.buurt)) return null;
    const parts = this.map.querySourceFeatures(TILE_SOURCE.buurt, { sourceLayer: AREAS, filter: ['==', ['get', 'code'], code] });
    if (!parts.length) return null;
    const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const f of parts) {
      const fb = bboxOf(f.geometry);
      b[0] = Math.min(b[0], fb[0]); b[1] = Math.min(b[1], fb[1]); b[2] = Math.max(b[2], fb[2]); b[3] = Math.max(b[3], fb[3]);
    }
    return b;
  }

  /** A PNG of the map as shown (labels included: they are drawn in the map), for the printed report. */
  snapshot(): string {
    this.map.redraw();
    return this.map.getCanvas().toDataURL('image/png');
  }

  fit(b: [number, number, number, number], animate = true): void {
    this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 32, animate, duration: animate ? 600 : 0 });
  }

  /** Resolves when the map has rendered everything it has (tiles, sources, transitions). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.map.once('idle', () => resolve());
      this.map.triggerRepaint();
    });
  }
}
