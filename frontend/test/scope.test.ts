// The scope (issue #11): which gemeente and boundary year the dashboard shows, how the gemeente
// box's text names one, the URL of another scope, the sentences for figures carried from another
// boundary year, and why chosen crime types leave the buurten grey.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CrimeType, Meta } from '../src/api';
import { headline, summaryHeadline, typesWithoutOffences } from '../src/figures';
import { setLang } from '../src/i18n';
import { chooseGemeente, chooseIndeling, estimatedLegend, estimatedLong, estimatedShort, estimateMethods, gemeenteName, indelingLabel, matchGemeente, missingScopeNote, scopeSearch, scopeTitle, shownGemeente } from '../src/scope';
import { parseState } from '../src/state';

const TWENTE: Meta['gemeenten'] = [
  { code: 'GM0141', name: 'Almelo' }, { code: 'GM0147', name: 'Borne' }, { code: 'GM0153', name: 'Enschede' }, { code: 'GM0164', name: 'Hengelo' },
  { code: 'GM1735', name: 'Hof van Twente' }, { code: 'GM0158', name: 'Haaksbergen' }, { code: 'GM0163', name: 'Hellendoorn' },
];
const meta = (o: Partial<Meta>): Meta => ({ gemeente: { code: 'GM0141', name: 'Almelo' }, all_gemeenten: false, gemeenten: TWENTE, boundary_year: 2021, boundary_years: [2021], ...o }) as Meta;

describe('the scope shown', () => {
  test('a gemeente by its name; all gemeenten by a name of their own', () => {
    setLang('nl');
    assert.equal(gemeenteName(meta({})), 'Almelo');
    assert.equal(scopeTitle(meta({})), 'Gemeente Almelo');
    const all = meta({ all_gemeenten: true, gemeente: { code: '', name: '' } });
    assert.deepEqual([gemeenteName(all), scopeTitle(all), shownGemeente(all)], ['Alle gemeenten', 'Alle gemeenten', 'alle']);
    assert.equal(shownGemeente(meta({})), 'GM0141');
    setLang('en');
    try { assert.deepEqual([gemeenteName(all), scopeTitle(meta({}))], ['All municipalities', 'Municipality of Almelo']); } finally { setLang('nl'); }
  });

  test('a chooser only when there is a choice; year 0 is a year not known', () => {
    assert.equal(chooseGemeente(meta({})), true);
    assert.equal(chooseGemeente(meta({ gemeenten: [{ code: 'GM0141', name: 'Almelo' }] })), false);
    assert.equal(chooseIndeling(meta({})), false);
    assert.equal(chooseIndeling(meta({ boundary_years: [2021, 2014] })), true);
    assert.deepEqual([indelingLabel(2021), indelingLabel(2014), indelingLabel(0)], ['Indeling 2021', 'Indeling 2014', 'Indeling: jaar onbekend']);
  });
});

describe('a link to a scope the data lacks', () => {
  test('says what it asked for and what is shown instead', () => {
    assert.equal(missingScopeNote({ gemeente: 'GM9999', indeling: null }, meta({})), 'De link vraagt om gemeente GM9999, maar die staat niet in de gegevens; getoond wordt Almelo.');
    assert.equal(missingScopeNote({ gemeente: 'GM9999', indeling: 2014 }, meta({ boundary_years: [2021, 2013] })),
      'De link vraagt om gemeente GM9999 + indeling 2014, maar die staat niet in de gegevens; getoond wordt Almelo, Indeling 2021.');
  });
});

describe('the gemeente box', () => {
  test('a name, a code, "name (code)", case and accents aside', () => {
    assert.equal(matchGemeente(TWENTE, 'Enschede'), 'GM0153');
    assert.equal(matchGemeente(TWENTE, '  enschede '), 'GM0153');
    assert.equal(matchGemeente(TWENTE, 'gm0164'), 'GM0164');
    assert.equal(matchGemeente(TWENTE, 'Hof van Twente (GM1735)'), 'GM1735');
    assert.equal(matchGemeente([{ code: 'GM0001', name: 'Súdwest-Fryslân' }], 'sudwest-fryslan'), 'GM0001');
  });
  test('all gemeenten', () => {
    assert.equal(matchGemeente(TWENTE, 'Alle gemeenten'), 'alle');
    assert.equal(matchGemeente(TWENTE, 'alle'), 'alle');
  });
  test('the start of one name, or else a part of one; never a guess between several', () => {
    assert.equal(matchGemeente(TWENTE, 'Ensch'), 'GM0153');
    assert.equal(matchGemeente(TWENTE, 'twente'), 'GM1735');
    assert.equal(matchGemeente(TWENTE, 'H'), null, 'Hengelo, Hof van Twente, Haaksbergen, Hellendoorn');
    assert.equal(matchGemeente(TWENTE, 'Amsterdam'), null);
    assert.equal(matchGemeente(TWENTE, '   '), null);
  });
});

describe('another scope', () => {
  test('keeps the view, period, types, map value, layers and language; drops wijk, buurt and map position', () => {
    const s = parseState('?view=planning&from=2023-01&to=2023-12&types=1.1.1&metric=rate&wijk=WK014110&buurt=BU01411000&layers=hotspots,kde&map=6.6,52.3,12&lang=en&k=8', { from: '2023-01', to: '2023-12' });
    const q = new URLSearchParams(scopeSearch(s, { gemeente: 'GM0153' }));
    assert.equal(q.get('gemeente'), 'GM0153');
    assert.equal(q.get('indeling'), null);
    for (const [k, v] of [['view', 'planning'], ['types', '1.1.1'], ['metric', 'rate'], ['layers', 'hotspots,kde'], ['lang', 'en'], ['k', '8']]) assert.equal(q.get(k as string), v, k);
    for (const k of ['wijk', 'buurt', 'map']) assert.equal(q.has(k), false, k);
    // a boundary year keeps the gemeente chosen
    const y = new URLSearchParams(scopeSearch({ ...s, gemeente: 'GM0141' }, { indeling: 2014 }));
    assert.deepEqual([y.get('gemeente'), y.get('indeling')], ['GM0141', '2014']);
    assert.equal(new URLSearchParams(scopeSearch(s, { indeling: 0 })).get('indeling'), '0');
  });
});

describe('figures carried from another boundary year', () => {
  test('the method in a word, and in a sentence', () => {
    setLang('nl');
    assert.equal(estimatedShort('area'), 'geschat (oppervlakte)');
    assert.equal(estimatedShort('one_to_one'), 'geschat (andere code)');
    assert.equal(estimatedShort('nearest'), 'geschat (dichtstbijzijnde buurt)');
    assert.equal(estimatedLong('area'), 'Geschat: cijfers van een andere buurtindeling, verdeeld naar oppervlakte.');
    assert.deepEqual(estimateMethods([{ estimated: 'nearest' }, { estimated: null }, { estimated: 'area' }, {}]), ['area', 'nearest']);
    assert.equal(estimatedLegend(['area']), 'geschat: cijfers van een andere buurtindeling, verdeeld naar oppervlakte');
    setLang('en');
    try { assert.equal(estimatedShort('area'), 'estimated (by area)'); } finally { setLang('nl'); }
  });

  test('the headline takes the method of the summary', () => {
    const hl = headline([], null);
    assert.equal(hl.counted, 0, 'no buurt with a count: no figure, not 0');
    const s = summaryHeadline(hl, { code: 'GM0141', figures: { count: 4100, withheld: 0, rank_of: 1, suppressed: false, previous_suppressed: false, status: 'value', previous_status: 'no_data', estimated: 'area' }, enforcement_suppressed: false });
    assert.deepEqual([s.total, s.estimated, s.fromSummary], [4100, 'area', true]);
  });
});

describe('crime types the offence figures do not hold', () => {
  const node = (code: string, offences: boolean, incidents: boolean, parent: string | null = null): CrimeType => ({ code, title: code, parent, level: code.split('.').length, offences, incidents });
  const totalOnly = [node('0.0.0', true, true), node('1', false, true), node('1.1', false, true, '1'), node('1.1.1', false, true, '1.1')];
  test('the total only (CBS 47018NED per buurt): the sentence says so, and whether incidents follow the choice', () => {
    assert.equal(typesWithoutOffences(totalOnly, ['0.0.0'], true), null);
    assert.equal(typesWithoutOffences(totalOnly, ['1.1.1'], true), 'Deze misdrijfcijfers bevatten alleen het totaal; de incidentlagen volgen de keuze wel.');
    assert.equal(typesWithoutOffences([node('0.0.0', true, false)], ['1.1.1'], false), 'Deze misdrijfcijfers bevatten alleen het totaal, niet per soort misdrijf: kies “Alle misdrijven” om de buurten te kleuren.');
  });
  test('figures per type, but not for the chosen ones', () => {
    const some = [node('0.0.0', true, true), node('1', true, true), node('1.1', true, true, '1'), node('2', false, true), node('2.2', false, true, '2')];
    assert.equal(typesWithoutOffences(some, ['1.1', '2.2'], true), null, 'one of them has figures');
    assert.equal(typesWithoutOffences(some, ['2.2'], true), 'De misdrijfcijfers hebben geen cijfers voor deze soorten misdrijf; de incidentlagen volgen de keuze wel.');
  });
});
