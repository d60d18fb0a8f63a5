import { describe, expect, it } from 'vitest';
import { csvField, monthlyPeriod, ParameterError, toCsv } from '../src/reports/csv';

describe('CSV rendering', () => {
  it('quotes per RFC 4180 and ends every record with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', null], ['x,y', 'say "hi"'], ['line\nbreak', '-0.39']])).toBe('a,b\r\n1,\r\n"x,y","say ""hi"""\r\n"line\nbreak",-0.39\r\n');
  });

  // Every start a spreadsheet reads as a formula, ASCII and full-width: each gets a leading apostrophe.
  it.each([
    ['=', '=1+2', "'=1+2"],
    ['+', '+1+2', "'+1+2"],
    ['-', '-1+2', "'-1+2"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['tab', '\t=1+2', "'\t=1+2"],
    ['CR', '\r=1+2', `"'\r=1+2"`],
    ['full-width =', '\uFF1D1+2', "'\uFF1D1+2"],
    ['full-width +', '\uFF0B1+2', "'\uFF0B1+2"],
    ['full-width -', '\uFF0D1+2', "'\uFF0D1+2"],
    ['full-width @', '\uFF20SUM(A1)', "'\uFF20SUM(A1)"],
    ['= with a comma and quotes', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
  ])('defuses a field starting with %s', (_name, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('leaves numbers, negative ones included, and text with a formula sign further in as they are', () => {
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField('-3')).toBe('-3');
    expect(csvField('12')).toBe('12');
    expect(csvField('Red =Cross')).toBe('Red =Cross');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField('-1e3')).toBe("'-1e3");
  });

  it('reads month=YYYY-MM as the calendar month in UTC, and names a bad parameter', () => {
    expect(monthlyPeriod({ partnerId: 'p', month: '2026-12' })).toEqual({ partnerId: 'p', from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(monthlyPeriod({ from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(() => monthlyPeriod({ from: 'a' })).toThrow(ParameterError);
    expect(() => monthlyPeriod({ month: '2026-1' })).toThrow(/month/);
    expect(() => monthlyPeriod({ month: '2026-01', from: 'x' })).toThrow(/month/);
  });
});
