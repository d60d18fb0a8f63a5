/**
 * The kit every CSV report route is made of: what a route is, the RFC 4180 writer with formula defusing,
 * and the URL parameter helpers. The routes are in *.route.ts beside this file; serve.ts publishes them.
 */
export interface CsvReportRoute {
  /** URL path, for example `/reports/settlement.csv`. */
  path: string;
  /** Query parameters, in order; a missing required one answers 400 naming it. */
  parameters: { name: string; required: boolean }[];
  /** The GraphQL document run through the gateway. Its variables are named after the parameters. */
  document: string;
  /**
   * The GraphQL variables from the parameters given; throws a `ParameterError` naming a missing or bad
   * one. Default: the parameters as they are.
   */
  variables?(parameters: Record<string, string>): Record<string, string>;
  /** GraphQL argument (error `field`) to URL parameter, where the names differ. */
  fieldToParameter?: Record<string, string>;
  /** Download file name (without the extension). */
  filename(parameters: Record<string, string>): string;
  /** Header row and data rows. */
  render(data: unknown): { header: string[]; rows: (string | null)[][] };
}

/** What a spreadsheet may take for the start of a formula, ASCII and full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text starting with
 * =, +, -, @, tab or CR, or the full-width ＝ ＋ － ＠ (spreadsheets read those as formulas too; say in a
 * charity's name) gets a leading apostrophe; a number, negative amounts included, stays as it is.
 */
export function csvField(value: string | null): string {
  const text = value ?? '';
  const safe = FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 records, each line ending with CRLF. */
export function toCsv(header: string[], rows: (string | null)[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A URL parameter the route cannot use: answered 400 with `extensions.field` naming it. */
export class ParameterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** `month=YYYY-MM` as the period [first of the month, first of the next), UTC; else `from` and `to` as given. */
export function monthlyPeriod(parameters: Record<string, string>): Record<string, string> {
  const { month, ...rest } = parameters;
  if (month === undefined) {
    for (const name of ['from', 'to']) if (!rest[name]) throw new ParameterError(name, 'is required (or give month=YYYY-MM)');
    return rest;
  }
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new ParameterError('month', 'must be YYYY-MM, for example 2026-11');
  if (rest.from || rest.to) throw new ParameterError('month', 'give either month or from and to, not both');
  const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const to = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1));
  return { ...rest, from: from.toISOString(), to: to.toISOString() };
}
