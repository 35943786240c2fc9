// The one CSV writer of the frontend: every CSV the browser makes goes through `dutchCsv`, in the
// convention the server's downloads follow (backend/src/domain/csv_export.rs), so that Dutch
// spreadsheet software opens both as meant and the two never disagree: `;` between fields, a
// decimal comma without thousands grouping, UTF-8 with a byte-order mark, CRLF line ends, a line
// break inside a cell as a space (a row stays one line), and no text cell a spreadsheet would run
// as a formula (OWASP's CSV injection: a leading `= + - @`, tab or carriage return gets a `'` and
// the cell is quoted).

/** What a cell may hold: text, a number (written with a decimal comma), or nothing (empty). */
export type CsvCell = string | number | null | undefined;

/** Whether a spreadsheet would evaluate this text: it begins with `= + - @`, a tab or a CR. */
const FORMULA = /^[=+\-@\t\r]/;

/** Neutralises text a spreadsheet would evaluate by putting an apostrophe before it. */
export function csvSafe(s: string): string {
  return FORMULA.test(s) ? `'${s}` : s;
}

/**
 * A number as a spreadsheet in nl-NL reads it: a decimal comma, no grouping (a year stays 2023).
 * A number the writer formats itself is not neutralised: its minus sign is a number's, not a formula.
 */
export function decimal(n: number): string {
  return Number.isFinite(n) ? String(n).replace('.', ',') : '';
}

/**
 * One cell as written: numbers with a decimal comma; text on one line (a line break is a space),
 * neutralised and then quoted when it was neutralised or holds `;` or `"`.
 */
export function csvCell(v: CsvCell): string {
  if (v == null) return '';
  if (typeof v === 'number') return decimal(v);
  const one = v.replace(/[\r\n]/g, ' ');
  const s = csvSafe(one);
  return s !== one || /[;"]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole CSV file: the byte-order mark, the header and the rows, each line ended by CRLF. */
export function dutchCsv(header: string[], rows: CsvCell[][]): string {
  return `\ufeff${[header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`;
}

/** Offers `text` as a download named `name` (UTF-8 CSV). */
export function downloadCsv(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
