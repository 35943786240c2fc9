// KDE surface and hotspot class colours. The KDE grid is painted into a canvas with a fixed
// colour scale from 0 to the grid's max and shown as a MapLibre image source (map.ts), so its
// intensity is tied to the ground and does not change with zoom.
import type { Kde } from './api';

/** Gi* classes: RdBu (ColorBrewer, colour-blind safe), hot = red, cold = blue. */
export const HOT_CLASSES = ['hot_99', 'hot_95', 'hot_90', 'none', 'cold_90', 'cold_95', 'cold_99'] as const;
export const HOT_COLOURS: Record<string, string> = {
  hot_99: '#b2182b', hot_95: '#ef8a62', hot_90: '#fddbc7', none: '#f7f7f7', cold_90: '#d1e5f0', cold_95: '#67a9cf', cold_99: '#2166ac',
};

/** The Gi* class of a confidence bin (-3..3: 99, 95, 90 % cold to hot). */
export function binClass(bin: number): (typeof HOT_CLASSES)[number] {
  return bin >= 3 ? 'hot_99' : bin === 2 ? 'hot_95' : bin === 1 ? 'hot_90' : bin <= -3 ? 'cold_99' : bin === -2 ? 'cold_95' : bin === -1 ? 'cold_90' : 'none';
}

/** Emerging hot spot categories (ArcGIS names): warm ramp for hot, cool ramp for cold. */
export const EMERGING_ORDER = ['new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical'] as const;
export const EMERGING_COLOURS: Record<string, string> = {
  persistent_hot: '#7f0000', intensifying_hot: '#b30000', consecutive_hot: '#e34a33', new_hot: '#fc8d59',
  sporadic_hot: '#fdbb84', oscillating_hot: '#fdd49e', diminishing_hot: '#c9a27e', historical_hot: '#d7ccc8',
  persistent_cold: '#08306b', intensifying_cold: '#08519c', consecutive_cold: '#3182bd', new_cold: '#6baed6',
  sporadic_cold: '#9ecae1', oscillating_cold: '#c6dbef', diminishing_cold: '#7f9db0', historical_cold: '#cfd8dc',
};

/** YlOrRd, transparent at zero. Stops at 0..1 of the grid max. */
export const KDE_STOPS: [number, [number, number, number]][] = [
  [0, [255, 255, 178]], [0.25, [254, 204, 92]], [0.5, [253, 141, 60]], [0.75, [240, 59, 32]], [1, [189, 0, 38]],
];
export const KDE_GRADIENT = `linear-gradient(90deg, rgba(255,255,178,.15), ${KDE_STOPS.slice(1).map(([, c]) => `rgb(${c.join(',')})`).join(', ')})`;

export function kdeColour(t: number): [number, number, number, number] {
  if (!(t > 0)) return [0, 0, 0, 0];
  const x = Math.min(1, t);
  let i = 1;
  while (i < KDE_STOPS.length - 1 && x > (KDE_STOPS[i] as [number, unknown])[0]) i++;
  const [x0, c0] = KDE_STOPS[i - 1] as [number, number[]];
  const [x1, c1] = KDE_STOPS[i] as [number, number[]];
  const f = (x - x0) / (x1 - x0 || 1);
  const c = c0.map((v, k) => Math.round(v + ((c1[k] as number) - v) * f));
  // fade in over the lowest fifth so the basemap stays readable where there is little
  const a = Math.round(255 * Math.min(0.88, 0.15 + (x / 0.2) * 0.6));
  return [c[0] as number, c[1] as number, c[2] as number, a];
}

/**
 * The grid's RGBA pixels, row-major from the top row as the API sends it, on the fixed scale
 * 0..max (a grid without a positive max is scaled as if its max were 1). Missing values are 0.
 */
export function kdePixels(k: Pick<Kde, 'nx' | 'ny' | 'max' | 'values'>): Uint8ClampedArray {
  const n = Math.max(0, k.nx) * Math.max(0, k.ny);
  const px = new Uint8ClampedArray(n * 4);
  const max = k.max > 0 ? k.max : 1;
  for (let i = 0; i < n; i++) px.set(kdeColour((k.values[i] ?? 0) / max), i * 4);
  return px;
}

/** The grid as an RGBA canvas. */
export function kdeCanvas(k: Kde): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = Math.max(1, k.nx);
  c.height = Math.max(1, k.ny);
  const ctx = c.getContext('2d');
  if (!ctx || k.nx <= 0 || k.ny <= 0) return c;
  const img = ctx.createImageData(k.nx, k.ny);
  img.data.set(kdePixels(k));
  ctx.putImageData(img, 0, 0);
  return c;
}
