// Class breaks and colour-blind-safe palettes (ColorBrewer YlOrRd sequential, RdBu diverging).
export const SEQUENTIAL = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
/** blue = decrease, red = increase (RdBu, 6 classes, reversed) */
export const DIVERGING = ['#2166ac', '#67a9cf', '#d1e5f0', '#fddbc7', '#ef8a62', '#b2182b'];
export const WITHHELD_COLOUR = '#9e9e9e';
/** A count hidden for this viewer ("< 5"): lavender, outside both palettes, drawn with dots on the map. */
export const SUPPRESSED_COLOUR = '#d8cfe8';

export interface Classes {
  /** upper bounds of all classes but the last (length = colours.length - 1) */
  breaks: number[];
  colours: string[];
  min: number;
  max: number;
  diverging: boolean;
}

/** Quantile breaks for a sequential metric; unique, so small data sets get fewer classes. */
export function quantileClasses(values: number[]): Classes {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { breaks: [], colours: [SEQUENTIAL[2] as string], min: 0, max: 0, diverging: false };
  const n = SEQUENTIAL.length;
  const breaks: number[] = [];
  for (let i = 1; i < n; i++) {
    const q = v[Math.min(v.length - 1, Math.floor((i * v.length) / n))] as number;
    if (q > (breaks[breaks.length - 1] ?? -Infinity) && q > (v[0] as number) - 1e-9 && q < (v[v.length - 1] as number) + 1e-9) breaks.push(q);
  }
  // drop a last break equal to the max (it would leave the top class empty)
  while (breaks.length && (breaks[breaks.length - 1] as number) >= (v[v.length - 1] as number)) breaks.pop();
  const k = breaks.length + 1;
  // spread the palette over the classes we have, keeping the darkest for the top class
  const colours = Array.from({ length: k }, (_, i) => SEQUENTIAL[Math.round((i * (n - 1)) / Math.max(1, k - 1))] as string);
  return { breaks, colours, min: v[0] as number, max: v[v.length - 1] as number, diverging: false };
}

/** Symmetric breaks around zero for a change in percent. */
export function divergingClasses(values: number[]): Classes {
  const v = values.filter(Number.isFinite);
  const maxAbs = Math.max(5, ...v.map(Math.abs));
  const nice = [5, 10, 20, 25, 50, 100, 200, 500].find((s) => s * 3 >= maxAbs) ?? Math.ceil(maxAbs / 3);
  const step = nice;
  return {
    breaks: [-2 * step, -step, 0, step, 2 * step],
    colours: DIVERGING,
    min: v.length ? Math.min(...v) : 0,
    max: v.length ? Math.max(...v) : 0,
    diverging: true,
  };
}

/** Class index of a value: values equal to a break fall in the lower class (upper bound inclusive). */
export function classOf(value: number, c: Classes): number {
  let i = 0;
  while (i < c.breaks.length && value > (c.breaks[i] as number)) i++;
  return i;
}
