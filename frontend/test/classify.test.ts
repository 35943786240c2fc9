// Class breaks for the choropleth: quantile classes on counts and rates, symmetric classes on the
// change, a value on a break in the lower class, and (figures.ts) buurten with withheld figures
// and missing values, as the API sends them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AreaProps } from '../src/api';
import { classOf, DIVERGING, divergingClasses, quantileClasses, SEQUENTIAL, WITHHELD_COLOUR, type Classes } from '../src/classify';
import { buurtStyle, classesFor, classLabel, headline, NO_VALUE_COLOUR } from '../src/figures';

/** Counts as a small town has them: many quiet buurten, a few busy ones. */
const COUNTS = [0, 0, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 21, 26, 33, 41, 58, 87, 140, 310];

function checkClasses(c: Classes, values: number[]): void {
  assert.equal(c.colours.length, c.breaks.length + 1, 'one colour more than breaks');
  for (let i = 1; i < c.breaks.length; i++) assert.ok((c.breaks[i] as number) > (c.breaks[i - 1] as number), `breaks increase: ${c.breaks}`);
  assert.equal(c.min, Math.min(...values));
  assert.equal(c.max, Math.max(...values));
  const used = new Set(values.map((v) => classOf(v, c)));
  for (let k = 0; k < c.colours.length; k++) assert.ok(used.has(k), `class ${k} is not empty (${c.breaks})`);
  assert.equal(classOf(c.max, c), c.colours.length - 1, 'the max is in the top class');
  assert.equal(classOf(c.min, c), 0, 'the min is in the bottom class');
}

describe('quantileClasses', () => {
  test('skewed counts: five non-empty classes from light to dark', () => {
    const c = quantileClasses([...COUNTS].reverse());
    checkClasses(c, COUNTS);
    assert.equal(c.colours.length, 5);
    assert.deepEqual(c.colours, SEQUENTIAL);
    assert.equal(c.diverging, false);
    // quintiles: about a fifth of the buurten in each class
    const sizes = [0, 0, 0, 0, 0];
    for (const v of COUNTS) sizes[classOf(v, c)]! += 1;
    for (const n of sizes) assert.ok(n >= 3 && n <= 8, `class sizes ${sizes}`);
  });

  test('a value equal to a break falls in the lower class', () => {
    const c = quantileClasses(COUNTS);
    for (const [i, b] of c.breaks.entries()) {
      assert.equal(classOf(b, c), i);
      assert.equal(classOf(b + 0.001, c), i + 1);
    }
  });

  test('few distinct values give fewer classes, keeping the darkest for the top class', () => {
    const c = quantileClasses([1, 1, 1, 1, 9]);
    assert.deepEqual(c.breaks, [1]);
    assert.deepEqual(c.colours, [SEQUENTIAL[0], SEQUENTIAL[4]]);
    checkClasses(c, [1, 9]);
    const three = quantileClasses([2, 2, 5, 5, 7, 7]);
    assert.equal(three.colours.at(-1), SEQUENTIAL[4]);
    checkClasses(three, [2, 5, 7]);
  });

  test('rates with decimals and non-finite values (no inhabitants) left out', () => {
    const rates = [0.4, 1.25, 2.5, 3.75, 5, 6.1, 7.9, 12.4, 15.2, 33.3, NaN, Infinity];
    const c = quantileClasses(rates);
    checkClasses(c, rates.filter(Number.isFinite));
    assert.equal(c.max, 33.3);
  });

  test('no values: one class and no breaks', () => {
    const c = quantileClasses([]);
    assert.deepEqual(c.breaks, []);
    assert.equal(c.colours.length, 1);
    assert.equal(classOf(123, c), 0);
  });
});

describe('divergingClasses', () => {
  test('symmetric breaks around zero with a round step that covers the largest change', () => {
    const c = divergingClasses([-37, -12, -3, 0, 4, 18, 25]);
    assert.deepEqual(c.breaks, [-40, -20, 0, 20, 40]);
    assert.deepEqual(c.colours, DIVERGING);
    assert.equal(c.diverging, true);
    assert.deepEqual([c.min, c.max], [-37, 25]);
    // decreases blue, increases red; no change counts as "not up"
    assert.equal(classOf(-37, c), 1);
    assert.equal(classOf(-41, c), 0);
    assert.equal(classOf(0, c), 2);
    assert.equal(classOf(0.1, c), 3);
    assert.equal(classOf(25, c), 4);
    assert.equal(classOf(400, c), 5);
  });

  test('small changes keep a step of at least 5 %, huge ones get a step of a third', () => {
    assert.deepEqual(divergingClasses([-1, 2.5]).breaks, [-10, -5, 0, 5, 10]);
    assert.deepEqual(divergingClasses([]).breaks, [-10, -5, 0, 5, 10]);
    assert.deepEqual(divergingClasses([1450]).breaks, [-1000, -500, 0, 500, 1000]);
    assert.deepEqual(divergingClasses([-2000]).breaks, [-1334, -667, 0, 667, 1334]);
    assert.deepEqual(divergingClasses([NaN, 16]).breaks, [-10, -5, 0, 5, 10].map((x) => x * 2));
  });
});

const area = (code: string, count: number | null, population: number | null, previous: number | null, wijk = 'WK000001'): AreaProps => ({
  code, name: code, level: 'buurt', parent_code: wijk, parent_name: wijk, population,
  count, withheld: count === null ? 1 : 0,
  rate_per_1000: count !== null && population ? (count / population) * 1000 : null,
  previous_count: previous,
  change_pct: count !== null && previous ? ((count - previous) / previous) * 100 : null,
  rank: null, rank_of: 12, suppressed: false, previous_suppressed: false, status: count === null ? 'withheld' : 'value', previous_status: previous === null ? 'no_data' : 'value',
});

/** Buurten as the API sends them: withheld counts (null), no inhabitants, no previous period. */
const BUURTEN: AreaProps[] = [
  area('BU01', 12, 1500, 10), area('BU02', null, 40, null), area('BU03', 0, 800, 4), area('BU04', 57, 2300, 61),
  area('BU05', 3, null, 3), area('BU06', 140, 5200, 95, 'WK000002'), area('BU07', null, 25, 2), area('BU08', 9, 900, null, 'WK000002'),
  area('BU09', 21, 1700, 30), area('BU10', 33, 2100, 22, 'WK000002'), area('BU11', 5, 650, 0), area('BU12', 74, 3100, 70),
];

describe('the choropleth with real-looking figures (figures.ts)', () => {
  test('withheld and missing values take no part in the breaks', () => {
    const counts = classesFor(BUURTEN, 'count');
    checkClasses(counts, BUURTEN.map((b) => b.count).filter((v): v is number => v != null));
    const rates = classesFor(BUURTEN, 'rate');
    assert.ok(rates.max < 30 && rates.min === 0, `rates from ${rates.min} to ${rates.max}`);
    const change = classesFor(BUURTEN, 'change');
    assert.equal(change.diverging, true);
    assert.ok(change.breaks.includes(0));
  });

  test('each buurt gets its class colour; withheld hatched grey, no value light grey', () => {
    const c = classesFor(BUURTEN, 'rate');
    const styles = new Map(BUURTEN.map((b) => [b.code, buurtStyle(b, 'rate', c, null)]));
    assert.deepEqual(styles.get('BU02'), { colour: WITHHELD_COLOUR, cls: -1, in_scope: true }, 'withheld wins over a rate');
    assert.deepEqual(styles.get('BU05'), { colour: NO_VALUE_COLOUR, cls: -2, in_scope: true }, 'a count without inhabitants has no rate');
    const top = styles.get('BU06');
    assert.equal(top?.colour, c.colours[top?.cls ?? -9]);
    for (const b of BUURTEN) {
      const st = styles.get(b.code);
      if (st && st.cls >= 0) assert.equal(st.colour, c.colours[st.cls], b.code);
    }
    // a wijk in scope only dims the others; the colours stay those of the gemeente's classes
    const scoped = buurtStyle(area('BU06', 140, 5200, 95, 'WK000002'), 'rate', c, 'WK000001');
    assert.deepEqual(scoped, { ...top, in_scope: false });
  });

  test('legend labels: whole counts start after the previous break, changes as ranges around zero', () => {
    const c: Classes = { breaks: [4, 12, 30], colours: ['a', 'b', 'c', 'd'], min: 0, max: 140, diverging: false };
    assert.deepEqual([0, 1, 2, 3].map((i) => classLabel(i, c, 'count')), ['0 – 4', '5 – 12', '13 – 30', '31 – 140']);
    assert.equal(classLabel(0, { ...c, breaks: [0], min: 0 }, 'count'), '0');
    const d = divergingClasses([-37, 25]);
    assert.deepEqual([0, 2, 5].map((i) => classLabel(i, d, 'change')), ['≤ -40,0%', '-20,0% … 0,0%', '> +40,0%']);
  });

  test('headline: withheld counted apart, change only over buurten with a previous count', () => {
    const hl = headline(BUURTEN, null);
    const known = BUURTEN.filter((b) => b.count !== null);
    assert.equal(hl.total, known.reduce((a, b) => a + (b.count ?? 0), 0));
    assert.equal(hl.withheld, 2);
    const withPrev = known.filter((b) => b.previous_count !== null);
    const cur = withPrev.reduce((a, b) => a + (b.count ?? 0), 0), prev = withPrev.reduce((a, b) => a + (b.previous_count ?? 0), 0);
    assert.equal(hl.prev, prev);
    assert.ok(Math.abs((hl.change ?? NaN) - ((cur - prev) / prev) * 100) < 1e-9);
    const pop = known.reduce((a, b) => a + (b.population ?? 0), 0);
    assert.ok(Math.abs((hl.rate ?? NaN) - (hl.total / pop) * 1000) < 1e-9);
    // the enforcement share is never counted here: it comes from the API's scope summary
    assert.deepEqual([hl.enfFree, hl.enfAll], [0, 0]);
  });
});
