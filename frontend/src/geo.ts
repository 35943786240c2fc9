// Small geometry helpers (WGS84).
import type { Geometry, Polygon, Position } from 'geojson';

const EARTH_RADIUS_M = 6371008.8;

/** A geodesic circle of `radiusM` metres around [lon, lat], as a closed polygon ring. */
export function circlePolygon(center: [number, number], radiusM: number, steps = 64): Polygon {
  const [lon, lat] = center;
  const lat1 = (lat * Math.PI) / 180;
  const lon1 = (lon * Math.PI) / 180;
  const d = radiusM / EARTH_RADIUS_M;
  const ring: Position[] = [];
  for (let i = 0; i <= steps; i++) {
    const brg = ((i % steps) / steps) * 2 * Math.PI;
    const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(brg));
    const lon2 = lon1 + Math.atan2(Math.sin(brg) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
    ring.push([(lon2 * 180) / Math.PI, (lat2 * 180) / Math.PI]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

export type BBox = [number, number, number, number];

export function bboxOf(g: Geometry): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  if (g.type === 'GeometryCollection') g.geometries.forEach((x) => visit(bboxOf(x)));
  else visit(g.coordinates);
  return b;
}

/** Area-weighted centroid of the largest outer ring: a good spot for a label. */
export function labelPoint(g: Geometry): [number, number] {
  const rings: Position[][] = g.type === 'Polygon' ? [g.coordinates[0] ?? []] : g.type === 'MultiPolygon' ? g.coordinates.map((p) => p[0] ?? []) : [];
  let best: [number, number] | null = null;
  let bestArea = -1;
  for (const ring of rings) {
    let a = 0, cx = 0, cy = 0;
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i] as [number, number];
      const [x1, y1] = ring[i + 1] as [number, number];
      const f = x0 * y1 - x1 * y0;
      a += f;
      cx += (x0 + x1) * f;
      cy += (y0 + y1) * f;
    }
    if (Math.abs(a) > bestArea && a !== 0) {
      bestArea = Math.abs(a);
      best = [cx / (3 * a), cy / (3 * a)];
    }
  }
  if (best) return best;
  const b = bboxOf(g);
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}
