// Small counts hidden for this viewer (the server's `suppressed`, count null): shown as "< 5" in
// Dutch and English, a choropleth class of their own (not withheld, not "no data", never 0),
// the headline from the wijk totals rather than a sum that leaves them out; and the sign-in
// page's sentences for the server's refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AreaProps } from '../src/api';
import { ApiError } from '../src/api';
import { SUPPRESSED_COLOUR, WITHHELD_COLOUR } from '../src/classify';
import { buurtStyle, classesFor, classLabel, CLS_NO_VALUE, CLS_SMALL, CLS_WITHHELD, countClass, countKind, countText, headline, metricCell, metricSuppressed, NO_VALUE_COLOUR, summaryHeadline } from '../src/figures';
import { setLang } from '../src/i18n';
import { signInError, throttleMinutes } from '../src/views/signin';

const area = (code: string, o: Partial<AreaProps> = {}): AreaProps => ({
  code, name: code, level: 'buurt', parent_code: 'WK000001', parent_name: 'Wijk 1', population: 1000,
  count: 12, withheld: 0, rate_per_1000: 12, previous_count: 10, change_pct: 20, rank: 1, rank_of: 6,
  suppressed: false, previous_suppressed: false, status: 'value', previous_status: 'value', ...o,
});
/** A buurt whose count is hidden for this viewer, as the API sends it. */
const small = (code: string, o: Partial<AreaProps> = {}): AreaProps =>
  area(code, { count: null, rate_per_1000: null, change_pct: null, rank: null, suppressed: true, status: 'withheld', ...o });

describe('"< 5": the text and kind of a count', () => {
  test('a number, "< 5" when suppressed, the withheld text when withheld at the source', () => {
    setLang('nl');
    assert.equal(countText(3), '3');
    assert.equal(countText(0), '0', 'a real zero stays 0');
    assert.equal(countText(1234), '1.234');
    assert.equal(countText(null, true), '< 5');
    assert.equal(countText(undefined, true), '< 5');
    assert.equal(countText(null, false), 'geheim/afgeschermd');
    assert.equal(countText(null), 'geheim/afgeschermd');
    // a count that is there wins over a stray flag
    assert.equal(countText(7, true), '7');
  });

  test('"< 5" in English too', () => {
    setLang('en');
    try {
      assert.equal(countText(null, true), '< 5');
      assert.equal(countText(null, false), 'withheld (confidential)');
    } finally { setLang('nl'); }
  });

  test('the kinds and their cell classes', () => {
    assert.equal(countKind(4), 'value');
    assert.equal(countKind(null, true), 'small');
    assert.equal(countKind(null, false), 'withheld');
    assert.equal(countClass('small'), 'small-count');
    assert.equal(countClass('withheld'), 'withheld');
    assert.equal(countClass('value'), '');
  });

  test('a metric is hidden with its count; a change also with its previous count', () => {
    assert.equal(metricSuppressed(small('B'), 'count'), true);
    assert.equal(metricSuppressed(small('B'), 'rate'), true);
    assert.equal(metricSuppressed(small('B'), 'change'), true);
    const prevHidden = area('C', { previous_count: null, change_pct: null, previous_suppressed: true });
    assert.equal(metricSuppressed(prevHidden, 'count'), false);
    assert.equal(metricSuppressed(prevHidden, 'change'), true);
    assert.equal(metricCell(prevHidden, 'change'), '< 5');
    assert.equal(metricCell(prevHidden, 'count'), '12');
    assert.equal(metricCell(small('B'), 'rate'), '< 5');
    assert.equal(metricCell(area('W', { count: null, rate_per_1000: null }), 'rate'), 'geheim/afgeschermd');
  });
});

describe('"< 5" on the choropleth: a class of its own', () => {
  const buurten = [area('A', { count: 40 }), area('B', { count: 9 }), area('C', { count: 25 }), small('S'),
    area('W', { count: null, rate_per_1000: null, change_pct: null, withheld: 1 }), area('N', { population: null, rate_per_1000: null })];

  test('neither withheld (hatched grey) nor no data (light grey) nor any class of values', () => {
    for (const m of ['count', 'rate', 'change'] as const) {
      const c = classesFor(buurten, m);
      const s = buurtStyle(small('S'), m, c, null);
      assert.deepEqual(s, { colour: SUPPRESSED_COLOUR, cls: CLS_SMALL, in_scope: true }, m);
      assert.ok(!c.colours.includes(SUPPRESSED_COLOUR), `${m}: not a colour of the classes`);
    }
    const c = classesFor(buurten, 'rate');
    assert.equal(buurtStyle(buurten[4] as AreaProps, 'rate', c, null).cls, CLS_WITHHELD);
    assert.equal(buurtStyle(buurten[4] as AreaProps, 'rate', c, null).colour, WITHHELD_COLOUR);
    assert.equal(buurtStyle(buurten[5] as AreaProps, 'rate', c, null).cls, CLS_NO_VALUE);
    assert.equal(buurtStyle(buurten[5] as AreaProps, 'rate', c, null).colour, NO_VALUE_COLOUR);
    assert.notEqual(SUPPRESSED_COLOUR, NO_VALUE_COLOUR);
    assert.notEqual(SUPPRESSED_COLOUR, WITHHELD_COLOUR);
  });

  test('the hidden counts take no part in the breaks (they are not 0)', () => {
    const withSmall = classesFor(buurten, 'count');
    const without = classesFor(buurten.filter((b) => b.code !== 'S'), 'count');
    assert.deepEqual(withSmall, without);
    assert.equal(withSmall.min, 9);
  });

  test('a change whose previous count is hidden is "< 5" on the change map only', () => {
    const p = area('P', { previous_count: null, change_pct: null, previous_suppressed: true });
    assert.equal(buurtStyle(p, 'change', classesFor(buurten, 'change'), null).cls, CLS_SMALL);
    assert.ok(buurtStyle(p, 'count', classesFor(buurten, 'count'), null).cls >= 0);
  });
});

describe('the headline with hidden counts', () => {
  const wijk = (code: string, count: number | null, previous: number | null, population = 3000): AreaProps =>
    area(code, { level: 'wijk', parent_code: null, count, previous_count: previous, population, suppressed: count === null });

  test('buurten with "< 5" in scope: the wijk totals, which leave nothing out', () => {
    const bs = [area('A', { count: 30, previous_count: 20 }), small('S'), small('T')];
    const hl = headline(bs, null, [wijk('WK000001', 36, 25)]);
    assert.equal(hl.fromWijken, true);
    assert.equal(hl.total, 36);
    assert.equal(hl.prev, 25);
    assert.equal(hl.change, 44);
    assert.equal(hl.rate, 12);
    assert.equal(hl.small, 0);
  });

  test('a wijk in scope: its own total', () => {
    const bs = [small('S')];
    const hl = headline(bs, 'WK000002', [wijk('WK000001', 36, 25), wijk('WK000002', 7, null, 700)]);
    assert.deepEqual([hl.total, hl.prev, hl.change, hl.rate, hl.fromWijken], [7, null, null, 10, true]);
  });

  test('a wijk total hidden too: the sum of the rest, saying how many buurten it leaves out', () => {
    const bs = [area('A', { count: 30 }), small('S')];
    const hl = headline(bs, null, [wijk('WK000001', null, 25)]);
    assert.deepEqual([hl.total, hl.small, hl.withheld, hl.fromWijken], [30, 1, 0, false]);
  });

  test('no hidden counts: the sum of the buurten, as before', () => {
    const bs = [area('A', { count: 30 }), area('W', { count: null })];
    const hl = headline(bs, null, [wijk('WK000001', 99, 25)]);
    assert.deepEqual([hl.total, hl.small, hl.withheld, hl.fromWijken], [30, 0, 1, false]);
  });
});

describe('the sign-in page\'s sentences for the server\'s answers', () => {
  test('401 and 429 as a Dutch (or English) sentence, the minutes taken from the server', () => {
    setLang('nl');
    assert.equal(signInError(new ApiError(401, 'unauthorized', 'unknown user name or wrong password')), 'De gebruikersnaam of het wachtwoord klopt niet. Controleer ze en probeer het opnieuw.');
    assert.equal(signInError(new ApiError(429, 'too_many_requests', 'too many failed sign-ins; try again in 15 minutes')), 'Te veel mislukte pogingen om in te loggen. Probeer het over 15 minuten opnieuw.');
    assert.equal(throttleMinutes('try again in 30 minutes'), 30);
    assert.equal(throttleMinutes('slow down'), 15);
    assert.equal(signInError(new TypeError('Failed to fetch')), 'De server is niet bereikbaar. Probeer het later opnieuw.');
    setLang('en');
    try {
      assert.equal(signInError(new ApiError(429, 'too_many_requests', 'too many failed sign-ins; try again in 15 minutes')), 'Too many failed sign-in attempts. Try again in 15 minutes.');
    } finally { setLang('nl'); }
  });

  test('an error from the boot script\'s own copy of the API module is known by its shape', () => {
    class OtherApiError extends Error { constructor(public status: number, public code: string, m: string) { super(m); } }
    assert.equal(signInError(new OtherApiError(401, 'unauthorized', 'x')), 'De gebruikersnaam of het wachtwoord klopt niet. Controleer ze en probeer het opnieuw.');
  });
});

describe('the legend with hidden counts', () => {
  test('a count class above 0 starts at 5 when counts of 1 to 4 are hidden', () => {
    const c = { breaks: [0, 6, 9], colours: ['#1', '#2', '#3', '#4'], min: 0, max: 21, diverging: false };
    assert.deepEqual([0, 1, 2, 3].map((i) => classLabel(i, c, 'count', true)), ['0', '5 – 6', '7 – 9', '10 – 21']);
    assert.deepEqual([0, 1, 2, 3].map((i) => classLabel(i, c, 'count')), ['0', '1 – 6', '7 – 9', '10 – 21']);
    // rates are not counts: no change
    assert.equal(classLabel(1, c, 'rate', true), '0,0 – 6,0');
  });
});

describe('the gemeente\'s headline from the API\'s scope summary', () => {
  const hl = headline([area('A', { count: 30 }), small('S')], null, []);
  test('the summary\'s roll-up replaces a sum that leaves hidden counts out', () => {
    const s = summaryHeadline(hl, { code: 'GM0001', figures: { count: 36, withheld: 2, rate_per_1000: 12, previous_count: 25, change_pct: 44, rank_of: 1, suppressed: false, previous_suppressed: false, status: 'value', previous_status: 'value' },
      enforcement_without_sanction: { year: 2023, value: 61.2, numerator: 120, denominator: 196 }, enforcement_suppressed: false });
    assert.deepEqual([s.enfFree, s.enfAll, s.enfSmall], [120, 196, false], 'indicator 3 from the summary');
    assert.deepEqual([s.total, s.prev, s.change, s.rate, s.small, s.withheld, s.withheldCells, s.fromSummary], [36, 25, 44, 12, 0, 0, 2, true]);
  });
  test('without a summary count, the buurten\'s headline stays', () => {
    assert.deepEqual(summaryHeadline(hl, null), { ...hl, enfFree: 0, enfAll: 0, enfSmall: false });
    assert.deepEqual(summaryHeadline(hl, { code: 'GM0001', figures: { count: null, withheld: 0, rank_of: 1, suppressed: true, previous_suppressed: false, status: 'withheld', previous_status: 'value' }, enforcement_suppressed: true }), { ...hl, enfFree: 0, enfAll: 0, enfSmall: true });
  });
});

describe('no data is not withheld, not "< 5", not 0', () => {
  test('a count without a row for the period (status no_data): "geen gegevens", the no-data class', () => {
    setLang('nl');
    assert.equal(countKind(null, false, 'no_data'), 'no_data');
    assert.equal(countText(null, false, 'no_data'), 'geen gegevens');
    assert.equal(countText(null, false, 'withheld'), 'geheim/afgeschermd');
    assert.equal(countText(null, true, 'withheld'), '< 5', 'hidden for this viewer wins');
    assert.equal(countClass('no_data'), 'no-data');
    const nd = area('N', { count: null, rate_per_1000: null, change_pct: null, status: 'no_data' });
    assert.equal(metricCell(nd, 'count'), 'geen gegevens');
    const c = classesFor([area('A'), nd], 'count');
    assert.deepEqual(buurtStyle(nd, 'count', c, null), { colour: NO_VALUE_COLOUR, cls: CLS_NO_VALUE, in_scope: true });
    // without a status (an older server): withheld, as before
    const old = area('O', { count: null, status: undefined as unknown as 'value' });
    assert.equal(buurtStyle(old, 'count', c, null).cls, CLS_WITHHELD);
  });

  test('the headline leaves them out and says so apart from the withheld ones', () => {
    const hl = headline([area('A', { count: 30 }), area('N', { count: null, status: 'no_data' }), area('W', { count: null, status: 'withheld' })], null);
    assert.deepEqual([hl.total, hl.noData, hl.withheld, hl.small], [30, 1, 1, 0]);
  });
});
