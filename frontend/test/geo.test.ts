// Geometry helpers: camera coverage circles in metres, bounding boxes of any GeoJSON geometry,
// and the label point of a wijk (the centroid of its largest part).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Geometry, Polygon, Position } from 'geojson';
import { bboxOf, circlePolygon } from '../src/geo';

/** Great-circle distance in metres (haversine), independent of the code under test. */
function metres(a: Position, b: Position): number {
  const r = Math.PI / 180;
  const dLat = ((b[1] as number) - (a[1] as number)) * r, dLon = ((b[0] as number) - (a[0] as number)) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos((a[1] as number) * r) * Math.cos((b[1] as number) * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

const ring = (p: Polygon): Position[] => p.coordinates[0] ?? [];

describe('circlePolygon', () => {
  test('a closed ring whose every vertex lies the radius away from the centre', () => {
    const centre: [number, number] = [6.6626, 52.3574]; // Almelo
    for (const radius of [25, 150, 2000]) {
      const r = ring(circlePolygon(centre, radius));
      assert.equal(r.length, 65, '64 steps and the closing vertex');
      assert.deepEqual(r[0], r[r.length - 1]);
      for (const v of r) assert.ok(Math.abs(metres(centre, v) - radius) < radius * 1e-6 + 1e-6, `${metres(centre, v)} m for ${radius} m`);
    }
  });

  test('in degrees it is wider than tall at Dutch latitudes (1/cos φ)', () => {
    const lat = 52.37;
    const b = bboxOf(circlePolygon([4.9, lat], 500));
    const ratio = (b[2] - b[0]) / (b[3] - b[1]);
    assert.ok(Math.abs(ratio - 1 / Math.cos((lat * Math.PI) / 180)) < 0.01, `ratio ${ratio}`);
    // centred on the centre
    assert.ok(Math.abs((b[0] + b[2]) / 2 - 4.9) < 1e-9);
    assert.ok(Math.abs((b[1] + b[3]) / 2 - lat) < 1e-6);
  });

  test('the number of steps sets the vertices, and the ring runs clockwise from north', () => {
    const r = ring(circlePolygon([5, 52], 100, 8));
    assert.equal(r.length, 9);
    assert.ok((r[0]![1] as number) > 52 && Math.abs((r[0]![0] as number) - 5) < 1e-12, 'starts due north');
    assert.ok((r[2]![0] as number) > 5 && Math.abs((r[2]![1] as number) - 52) < 1e-5, 'a quarter on: due east');
  });
});

describe('bboxOf', () => {
  test('polygons with holes, multipolygons, lines, points and collections', () => {
    const poly: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 3], [0, 3], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]] };
    assert.deepEqual(bboxOf(poly), [0, 0, 4, 3]);
    const multi: Geometry = { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, -2], [6, -2], [6, 7], [5, -2]]]] };
    assert.deepEqual(bboxOf(multi), [0, -2, 6, 7]);
    assert.deepEqual(bboxOf({ type: 'LineString', coordinates: [[3, 9], [-1, 4], [2, 5]] }), [-1, 4, 3, 9]);
    assert.deepEqual(bboxOf({ type: 'Point', coordinates: [6.66, 52.36] }), [6.66, 52.36, 6.66, 52.36]);
    const coll: Geometry = { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [10, 10] }, poly, { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [-3, 1] }] }] };
    assert.deepEqual(bboxOf(coll), [-3, 0, 10, 10]);
  });

  test('an empty geometry gives an inverted (empty) box', () => {
    const b = bboxOf({ type: 'MultiPolygon', coordinates: [] });
    assert.ok(b[0] > b[2] && b[1] > b[3]);
  });
});
