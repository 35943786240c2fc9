// The KDE surface's colour ramp (fixed scale 0..max, transparent at zero, fading in), the grid
// turned into pixels row by row as the API sends it, and the Gi* and emerging colour tables.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binClass, EMERGING_COLOURS, EMERGING_ORDER, HOT_CLASSES, HOT_COLOURS, KDE_GRADIENT, KDE_STOPS, kdeColour, kdePixels } from '../src/kde';

const rgb = (c: number[]): number[] => c.slice(0, 3);

describe('kdeColour', () => {
  test('zero, negative and missing densities are fully transparent', () => {
    for (const v of [0, -0.5, NaN, -Infinity]) assert.deepEqual(kdeColour(v), [0, 0, 0, 0], String(v));
  });

  test('the stops are hit exactly, and above the max it stays at the top colour', () => {
    for (const [x, c] of KDE_STOPS.slice(1)) assert.deepEqual(rgb(kdeColour(x)), c, `stop ${x}`);
    assert.deepEqual(kdeColour(7), kdeColour(1));
    assert.deepEqual(rgb(kdeColour(1)), [189, 0, 38]);
  });

  test('between stops each channel is interpolated linearly', () => {
    const [r, g, b] = kdeColour(0.625); // halfway from 0.5 to 0.75
    assert.deepEqual([r, g, b], [Math.round((253 + 240) / 2), Math.round((141 + 59) / 2), Math.round((60 + 32) / 2)]);
    const low = kdeColour(0.1); // 0.4 of the way from 0 to 0.25
    assert.deepEqual(rgb(low), [255, Math.round(255 + (204 - 255) * 0.4), Math.round(178 + (92 - 178) * 0.4)]);
  });

  test('opacity fades in over the lowest fifth and then holds at 88 %', () => {
    const alpha = (x: number): number => kdeColour(x)[3];
    assert.equal(alpha(0.001), Math.round(255 * (0.15 + 0.003)));
    assert.equal(alpha(0.1), Math.round(255 * 0.45));
    let prev = 0;
    for (let x = 0.01; x <= 1; x += 0.01) {
      const a = alpha(x);
      assert.ok(a >= prev, `alpha never drops (${x})`);
      prev = a;
    }
    assert.equal(alpha(0.2), Math.round(255 * 0.75));
    assert.equal(alpha(0.5), Math.round(255 * 0.88));
    assert.equal(alpha(1), alpha(0.3));
  });

  test('the legend gradient shows the same stops', () => {
    for (const [, c] of KDE_STOPS.slice(1)) assert.ok(KDE_GRADIENT.includes(`rgb(${c.join(',')})`), KDE_GRADIENT);
    assert.match(KDE_GRADIENT, /^linear-gradient\(90deg, rgba\(255,255,178,\.15\)/);
  });
});

describe('kdePixels', () => {
  test('row-major from the top row, scaled to the grid max', () => {
    // 3 columns, 2 rows: densest cell bottom right
    const k = { nx: 3, ny: 2, max: 8, values: [0, 2, 4, 1, 6, 8] };
    const px = kdePixels(k);
    assert.equal(px.length, 3 * 2 * 4);
    const at = (col: number, row: number): number[] => [...px.slice((row * 3 + col) * 4, (row * 3 + col) * 4 + 4)];
    assert.deepEqual(at(0, 0), [0, 0, 0, 0]);
    assert.deepEqual(at(2, 1), kdeColour(1));
    assert.deepEqual(at(1, 0), kdeColour(0.25));
    assert.deepEqual(at(2, 0), kdeColour(0.5));
    assert.deepEqual(at(1, 1), kdeColour(0.75));
  });

  test('missing values are transparent; a flat zero grid is transparent throughout', () => {
    const px = kdePixels({ nx: 2, ny: 2, max: 3, values: [3] });
    assert.deepEqual([...px.slice(0, 4)], kdeColour(1));
    assert.ok(px.slice(4).every((v) => v === 0));
    assert.ok(kdePixels({ nx: 4, ny: 3, max: 0, values: new Array(12).fill(0) }).every((v) => v === 0));
  });

  test('a grid without a positive max is drawn on the scale 0..1, an empty grid has no pixels', () => {
    assert.deepEqual([...kdePixels({ nx: 1, ny: 1, max: 0, values: [0.5] })], kdeColour(0.5));
    assert.equal(kdePixels({ nx: 0, ny: 5, max: 1, values: [] }).length, 0);
    assert.equal(kdePixels({ nx: -2, ny: 5, max: 1, values: [1] }).length, 0);
  });
});

describe('hot spot classes and colours', () => {
  test('a confidence bin maps to its Gi* class, beyond ±3 to the 99 % class', () => {
    assert.deepEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4].map(binClass), ['cold_99', 'cold_99', 'cold_95', 'cold_90', 'none', 'hot_90', 'hot_95', 'hot_99', 'hot_99']);
  });

  test('every class and every emerging category has a distinct colour', () => {
    for (const c of HOT_CLASSES) assert.match(HOT_COLOURS[c] ?? '', /^#[0-9a-f]{6}$/, c);
    assert.equal(new Set(HOT_CLASSES.map((c) => HOT_COLOURS[c])).size, HOT_CLASSES.length);
    const cats = EMERGING_ORDER.flatMap((c) => [`${c}_hot`, `${c}_cold`]);
    for (const c of cats) assert.match(EMERGING_COLOURS[c] ?? '', /^#[0-9a-f]{6}$/, c);
    assert.equal(new Set(cats.map((c) => EMERGING_COLOURS[c])).size, cats.length);
  });
});
