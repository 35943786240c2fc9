// Files made from the real data in ../shared/data for the browser tests (issue #11), written by
// scripts/e2e.sh into its temporary folder and read again by the tests, which import the same
// rules to know what to expect. Nothing here is invented: each file is cut or spread from a real one.
//   node tests/e2e/real-files.mjs DATA_DIR OUT_DIR
// writes OUT_DIR/almelo-buurten-2014.geojson and OUT_DIR/almelo-misdrijven-maand-2023.csv.
//
// - almelo-buurten-2014.geojson: Almelo's buurten of boundary year 2014, the features of the
//   national coarse 2014 file whose code starts with BU0141 (some have a null or degenerate
//   geometry there; scripts/e2e.sh imports it with --repair).
// - almelo-misdrijven-maand-2023.csv: the yearly CBS 47018NED totals of 2023 spread over the 12
//   months of 2023 (rows 2023MM01..2023MM12, SoortMisdrijf 0.0.0), as a monthly table (47022NED)
//   would have them, with cells CBS-style withheld (an empty value) and months without a row:
//   see monthlyPlan.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const YEARLY_FILE = 'almelo-misdrijven-47018NED-2023.csv';
export const BUURTEN_2014 = 'almelo-buurten-2014.geojson';
export const MONTHLY_FILE = 'almelo-misdrijven-maand-2023.csv';

/** The rows of a CSV with quoted fields (RFC 4180, no line breaks inside a field), as objects by header. */
export function readCsv(text) {
  const parse = (line) => {
    const out = [];
    let cur = '', quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const [head, ...lines] = text.replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = parse(head);
  return lines.map((l) => Object.fromEntries(parse(l).map((v, i) => [cols[i], v])));
}

/** The 2023 total per buurt of the yearly file, in the file's order: [{ code, name, total }]. */
export function yearlyTotals(dataDir) {
  return readCsv(readFileSync(join(dataDir, YEARLY_FILE), 'utf8'))
    .filter((r) => r.SoortMisdrijf.trim() === '0.0.0' && r.Perioden === '2023JJ00' && r.WijkenEnBuurten.startsWith('BU'))
    .map((r) => ({ code: r.WijkenEnBuurten.trim(), name: r.WijkenEnBuurten_label.trim(), total: Number(r.GeregistreerdeMisdrijven_1) }));
}

export const MONTHS = Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`);

/**
 * How the monthly file is made from the yearly totals, deterministically:
 * - each buurt's total is spread over the 12 months: total / 12 each, the remainder one each
 *   to the first months (so the months add up to the year's total);
 * - `withheldAll`: the buurt with the smallest total has every cell withheld (empty): the year
 *   is "geheim" for it;
 * - `withheldSome`: every 9th buurt of the file (the 5th, 14th, …) has its March and August
 *   cells withheld (`withheldMonths`);
 * - `partial`: the buurt with the second-largest total has no rows for October to December
 *   (`missing`): no data for those months, which is not 0 and not withheld.
 * `months[code]` is each buurt's cells: a number, '' (withheld) or null (no row).
 */
export function monthlyPlan(totals) {
  const bySize = [...totals].sort((a, b) => a.total - b.total || a.code.localeCompare(b.code));
  const withheldAll = bySize[0].code;
  const partial = bySize[bySize.length - 2].code;
  const withheldMonths = ['2023-03', '2023-08'];
  const missing = ['2023-10', '2023-11', '2023-12'];
  const withheldSome = totals.filter((_, i) => i % 9 === 4).map((b) => b.code).filter((c) => c !== withheldAll && c !== partial);
  const months = {};
  for (const b of totals) {
    const base = Math.floor(b.total / 12), rest = b.total % 12;
    months[b.code] = MONTHS.map((m, i) => {
      if (b.code === partial && missing.includes(m)) return null;
      if (b.code === withheldAll || (withheldSome.includes(b.code) && withheldMonths.includes(m))) return '';
      return base + (i < rest ? 1 : 0);
    });
  }
  /** A buurt's 2023 count in the file: its known cells (null when it has none). */
  const known = (code) => {
    const v = months[code].filter((x) => typeof x === 'number');
    return v.length ? v.reduce((a, b) => a + b, 0) : null;
  };
  return { withheldAll, withheldSome, withheldMonths, partial, missing, months, known };
}

/** The monthly CSV (OData column names, as 47022NED has them). */
export function monthlyCsv(totals) {
  const plan = monthlyPlan(totals);
  const lines = ['"WijkenEnBuurten","SoortMisdrijf","Perioden","GeregistreerdeMisdrijven_1"'];
  for (const b of totals) {
    plan.months[b.code].forEach((v, i) => {
      if (v === null) return;
      lines.push(`"${b.code}","0.0.0 ","2023MM${String(i + 1).padStart(2, '0')}",${v}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

/** Almelo's 2014 buurten from the national coarse 2014 file. */
export function almelo2014(dataDir) {
  const all = JSON.parse(gunzipSync(readFileSync(join(dataDir, 'nl-buurten-2014-coarse.geojson.gz'))).toString('utf8'));
  return { type: 'FeatureCollection', features: all.features.filter((f) => String(f.properties?.code ?? '').startsWith('BU0141')) };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const [dataDir, outDir] = process.argv.slice(2);
  if (!dataDir || !outDir) { console.error('usage: node tests/e2e/real-files.mjs DATA_DIR OUT_DIR'); process.exit(2); }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, BUURTEN_2014), JSON.stringify(almelo2014(dataDir)));
  writeFileSync(join(outDir, MONTHLY_FILE), monthlyCsv(yearlyTotals(dataDir)));
}
