// The frontend's one CSV writer (src/csv.ts) and the buurt panel's export through it: the same
// Dutch convention as the server's downloads (backend/src/domain/csv_export.rs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AreaDetail } from '../src/api';
import { csvCell, csvSafe, decimal, dutchCsv } from '../src/csv';
import { areaCsv } from '../src/views/area-csv';

describe('dutchCsv: the file', () => {
  test('a byte-order mark, ; between fields, CRLF after every line', () => {
    const text = dutchCsv(['naam', 'score'], [['Binnenstad', 12.5], ['Nieuwstraat', 3]]);
    assert.equal(text, '\ufeffnaam;score\r\nBinnenstad;12,5\r\nNieuwstraat;3\r\n');
  });

  test('no data is an empty cell, never 0', () => {
    assert.equal(dutchCsv(['a', 'b', 'c'], [[null, undefined, 0]]), '\ufeffa;b;c\r\n;;0\r\n');
  });
});

describe('csvCell: one cell', () => {
  test('numbers get a decimal comma and no grouping (a year stays 2023)', () => {
    assert.equal(csvCell(2023), '2023');
    assert.equal(csvCell(1234567.25), '1234567,25');
    assert.equal(csvCell(-12.5), '-12,5', 'a number the writer formats is a number, not a formula');
    assert.equal(decimal(0.1), '0,1');
    assert.equal(decimal(Number.NaN), '');
  });

  test('text starting with = + - @, tab or carriage return is neutralised with an apostrophe', () => {
    for (const s of ['=HYPERLINK("http://x")', '+31 6', '-2+3', '@SUM(A1)', '\tx']) assert.ok(csvSafe(s).startsWith("'"), s);
    assert.equal(csvSafe('Binnenstad'), 'Binnenstad');
    assert.equal(csvSafe('< 5'), '< 5');
    assert.equal(csvCell('a=b'), 'a=b', 'only the first character counts');
  });

  test('a neutralised cell is also quoted', () => {
    assert.equal(csvCell('=1+1'), `"'=1+1"`);
    assert.equal(csvCell('-5'), `"'-5"`, 'text that looks like a number is still text');
    assert.equal(csvCell('+31 6'), `"'+31 6"`);
    assert.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
    assert.equal(csvCell('\tx'), `"'\tx"`);
    assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`, 'inner quotes doubled');
  });

  test('a cell beginning with CR or LF neither splits the row nor stays a formula', () => {
    assert.equal(csvCell('\r=1+1'), ' =1+1');
    assert.equal(csvCell('\n@x'), ' @x');
    const text = dutchCsv(['naam', 'x'], [['=cmd|x\r\n=2', '\r\n-1']]);
    assert.deepEqual(text.split('\r\n'), ['\ufeffnaam;x', `"'=cmd|x  =2";  -1`, '']);
  });

  test('a cell with ; or " is quoted, quotes doubled', () => {
    assert.equal(csvCell('a;b'), '"a;b"');
    assert.equal(csvCell('zeg "hoi"'), '"zeg ""hoi"""');
    assert.equal(csvCell('=a;b'), `"'=a;b"`, 'neutralised, then quoted');
  });

  test('a line break inside a cell becomes a space, as on the server: every row is one line', () => {
    assert.equal(csvCell('regel 1\r\nregel 2'), 'regel 1  regel 2');
    assert.equal(csvCell('a\nb;c'), '"a b;c"');
    const text = dutchCsv(['x'], [['een\ntwee']]);
    assert.equal(text.split('\r\n').length, 3, 'header, one row, and the empty rest after the last CRLF');
  });
});

describe('the buurt panel export', () => {
  const detail = {
    code: 'BU01410000', name: 'Binnenstad; Noord', level: 'buurt', parent_code: 'WK014100', parent_name: 'Binnenstad', population: 1234,
    period: { from: '2023-01', to: '2023-12' },
    figures: { count: 645, withheld: 0, rate_per_1000: 522.7, previous_count: null, previous_status: 'no_data', change_pct: null, rank: 1, rank_of: 71, suppressed: false, previous_suppressed: false, status: 'value' },
    monthly: [{ period: '2023-01', count: null, suppressed: true, previous_year_count: 7 }],
    by_type: [], enforcement_by_outcome: [], e33: [],
    cameras: [{ id: 'c1', name: '=cmd|x', status: 'planned', radius_m: 40.5 }],
    initiatives: [],
  } as unknown as AreaDetail;

  test('goes through the one writer: BOM, ;, CRLF, decimal comma, quoting, neutralising, "< 5"', () => {
    const text = areaCsv(detail, '2023-01..2023-12', 'Alle misdrijven');
    assert.ok(text.startsWith('\ufeffsectie;sleutel;waarde;waarde_vorig_jaar\r\n'));
    const lines = text.split('\r\n');
    assert.ok(lines.includes('buurt;naam;"Binnenstad; Noord";'));
    assert.ok(lines.includes('kerncijfers;per_1000_inwoners;522,7;'));
    assert.ok(lines.includes('kerncijfers;vorige_periode;;'), 'no previous count: empty, not 0');
    assert.ok(lines.includes('per_maand;2023-01;< 5;7'));
    assert.ok(lines.includes("camera;c1 =cmd|x;planned;40,5"));
    assert.ok(text.endsWith('\r\n'));
  });
});
