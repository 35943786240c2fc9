// Real data as it comes (issue #11): yearly-only figures (CBS 47018NED) give a trend per year with
// a sentence when there is too little to draw, emerging hot spots with too few years a sentence
// instead of an error, and years are printed plain, never grouped as 2.023.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AreaDetail } from '../src/api';
import { ApiError } from '../src/api';
import { emergingRefusal, emergingStep } from '../src/emerging';
import { fmt, setLang } from '../src/i18n';
import { snapToYears } from '../src/state';
import { dataYears, monthlyTrendNote, yearlyTrendNote, yearPoint, yearRange, type YearPoint } from '../src/trend';
import { dataCell } from '../src/views/indicator-card';

const pt = (year: number, count: number | null, o: Partial<YearPoint> = {}): YearPoint => ({ year, count, suppressed: false, status: count == null ? 'no_data' : 'value', ...o });

describe('years are printed plain', () => {
  test('fmt.year never groups', () => {
    assert.equal(fmt.year(2023), '2023');
    assert.equal(fmt.year('2017'), '2017');
    assert.equal(fmt.int(2023), '2.023', 'what a number formatter would make of it');
  });

  test('the rows behind an indicator: a year column plain, other numbers in nl-NL', () => {
    assert.equal(dataCell('year', 2023), '2023');
    assert.equal(dataCell('jaar', 2023), '2023');
    assert.equal(dataCell('start_year', 2019), '2019');
    assert.equal(dataCell('count', 2023), '2.023', 'a count of 2023 is a number');
    assert.equal(dataCell('percentage', 61.25), '61,25');
    assert.equal(dataCell('year', null), '–');
    assert.equal(dataCell('counted', true), '✓');
  });
});

describe('the yearly trend', () => {
  test('the years of the data, and a year as a query', () => {
    assert.deepEqual(dataYears('2023-01', '2023-12'), [2023]);
    assert.deepEqual(dataYears('2017-01', '2023-12'), [2017, 2018, 2019, 2020, 2021, 2022, 2023]);
    assert.deepEqual(dataYears('2023-01', '2021-12'), []);
    assert.deepEqual(yearRange(2019), { from: '2019-01', to: '2019-12' });
  });

  test('one year of data: no chart, a sentence saying a trend needs two years', () => {
    setLang('nl');
    assert.equal(yearlyTrendNote([2023], null), 'Alleen jaarcijfers voor 2023: een trend vraagt minstens twee jaren.');
    setLang('en');
    assert.match(yearlyTrendNote([2023], null) ?? '', /2023.*at least two years/);
    setLang('nl');
  });

  test('several years: a chart when two have a value; withheld and missing years are gaps, not 0', () => {
    const years = [2021, 2022, 2023];
    assert.equal(yearlyTrendNote(years, null), null, 'still loading: no sentence yet');
    assert.equal(yearlyTrendNote(years, [pt(2021, 10), pt(2022, null, { status: 'withheld' }), pt(2023, 12)]), null);
    assert.match(yearlyTrendNote(years, [pt(2021, null), pt(2022, 7), pt(2023, null, { suppressed: true, status: 'withheld' })]) ?? '', /alleen over 2022 een jaarcijfer/);
    assert.match(yearlyTrendNote(years, [pt(2021, null), pt(2022, null), pt(2023, null)]) ?? '', /Geen jaarcijfers voor deze buurt in 2021–2023/);
  });

  test('a point from the area API: the count, or null with why', () => {
    const d = (f: Partial<AreaDetail['figures']>) => ({ figures: { count: null, status: 'no_data', suppressed: false, ...f } }) as unknown as Pick<AreaDetail, 'figures'>;
    assert.deepEqual(yearPoint(2023, d({ count: 645, status: 'value' })), pt(2023, 645));
    assert.deepEqual(yearPoint(2022, d({})), { year: 2022, count: null, suppressed: false, status: 'no_data' });
    assert.deepEqual(yearPoint(2021, d({ suppressed: true, status: 'withheld' })), { year: 2021, count: null, suppressed: true, status: 'withheld' });
  });

  test('the monthly trend says why it is empty: no months, or none with a figure', () => {
    assert.match(monthlyTrendNote([]) ?? '', /Geen maandcijfers/);
    assert.match(monthlyTrendNote([{ period: '2023-01', count: null, suppressed: true, status: 'value', previous_year_count: null }]) ?? '', /Geen maandcijfers/);
    assert.equal(monthlyTrendNote([{ period: '2023-01', count: null, suppressed: true, status: 'value', previous_year_count: 4 }]), null);
  });

  test('a period on yearly data is widened to whole years', () => {
    const s = { from: '2023-04', to: '2023-06' };
    snapToYears(s);
    assert.deepEqual(s, { from: '2023-01', to: '2023-12' });
  });
});

describe('emerging hot spots on yearly data', () => {
  test('the step is a year when the data has no months', () => {
    assert.equal(emergingStep(false, 'month'), 'year');
    assert.equal(emergingStep(true, 'month'), 'month');
    assert.equal(emergingStep(true, 'year'), 'year');
  });

  test("the server's refusal for too few steps becomes a Dutch sentence with its numbers", () => {
    setLang('nl');
    const few = new ApiError(400, 'bad_request', 'emerging hotspots need at least 3 years of data, and the selection has 1 (2023); widen the period or import more years (e.g. 47018NED from 2017)');
    assert.equal(emergingRefusal(few), 'Opkomende hotspots vragen minstens 3 jaren aan cijfers; deze selectie heeft er 1 (2023). Kies een langere periode of importeer meer jaren (wijkveilig import offences).');
    const months = new ApiError(400, 'bad_request', 'emerging hotspots need at least 3 months of data, and the selection has 2 (2023-01–2023-02); widen the period');
    assert.match(emergingRefusal(months) ?? '', /minstens 3 maanden.*heeft er 2 \(2023-01–2023-02\)/);
    assert.match(emergingRefusal(new ApiError(400, 'bad_request', 'cannot compute emerging hotspots: the values sum to zero (Gi* is a share of the total)')) ?? '', /elke tijdstap 0/);
  });

  test('any other failure stays an error', () => {
    assert.equal(emergingRefusal(new ApiError(500, 'internal', 'something went wrong inside the server')), null);
    assert.equal(emergingRefusal(new TypeError('Failed to fetch')), null);
  });
});
