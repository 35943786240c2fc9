// Figures with gaps (issue #11): months withheld or without any row in a buurt's trend, Gi* refused
// on a scope without figures, and the areas a hot-spot statistic leaves out; never read as 0.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError, type AreaDetail } from '../src/api';
import { excludedNote, hotspotRefusal } from '../src/emerging';
import { setLang } from '../src/i18n';
import { monthGaps } from '../src/trend';

type Month = AreaDetail['monthly'][number];
const m = (period: string, count: number | null, status: Month['status'], suppressed = false): Month => ({ period, count, status, suppressed, previous_year_count: null });

describe('the months of a buurt\'s trend without a count', () => {
  test('withheld by CBS and without a row are told apart; hidden for this viewer is neither', () => {
    const gaps = monthGaps([m('2023-01', 5, 'value'), m('2023-02', null, 'withheld'), m('2023-03', null, 'value', true), m('2023-04', null, 'no_data')]);
    assert.deepEqual(gaps, { withheld: ['2023-02'], missing: ['2023-04'] });
  });
  test('no month with a figure at all is no data, not a partial figure', () => {
    assert.deepEqual(monthGaps([m('2023-01', null, 'no_data'), m('2023-02', null, 'no_data')]), { withheld: [], missing: [] });
  });
});

describe('Gi* refused for a reason in the data', () => {
  setLang('nl');
  const bad = (msg: string): ApiError => new ApiError(400, 'bad_request', msg);
  test('a scope without any figure: "geen misdrijfcijfers", not zeros', () => {
    assert.equal(hotspotRefusal(bad('hotspot statistics need at least 3 areas with figures; 0 of 70 have one'), false, 'Enschede'),
      'Geen misdrijfcijfers voor Enschede in deze periode: er is niets om hotspots in te zoeken.');
    assert.equal(hotspotRefusal(bad('cannot compute Gi*: the values sum to zero (Gi* is a share of the total)'), false, 'Enschede'),
      'Geen misdrijfcijfers voor Enschede in deze periode: er is niets om hotspots in te zoeken.');
  });
  test('too few areas with figures, or only zeros', () => {
    assert.equal(hotspotRefusal(bad('hotspot statistics need at least 3 areas with figures; 2 of 70 have one'), true, 'Enschede'),
      'Hotspots vragen minstens 3 buurten met cijfers; hier hebben er 2 van de 70 een.');
    assert.equal(hotspotRefusal(bad('cannot compute Gi*: the values sum to zero (Gi* is a share of the total)'), true, 'Almelo'),
      'Elke buurt heeft 0 misdrijven in deze selectie: Gi* vindt daarin geen hotspots.');
  });
  test('any other failure stays an error', () => {
    assert.equal(hotspotRefusal(new ApiError(500, 'internal', 'boom'), false, 'X'), null);
    assert.equal(hotspotRefusal(bad('unknown level'), false, 'X'), null);
    assert.equal(hotspotRefusal(new TypeError('Failed to fetch'), false, 'X'), null);
  });
});

describe('areas left out of a hot-spot statistic', () => {
  test('counted by why, or nothing when none were left out', () => {
    assert.equal(excludedNote([], 'hs_excluded'), null);
    assert.equal(excludedNote([{ status: 'no_data' }, { status: 'no_data' }, { status: 'withheld' }], 'hs_excluded'),
      '3 buurten zonder cijfers blijven buiten de analyse (geen gegevens: 2, geheim/afgeschermd: 1); ze tellen niet als 0.');
  });
});
