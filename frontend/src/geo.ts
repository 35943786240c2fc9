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
