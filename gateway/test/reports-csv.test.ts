import { describe, expect, it } from 'vitest';
import { monthlyPeriod, ParameterError, toCsv } from '../src/reports-csv';

describe('CSV rendering', () => {
  it('quotes per RFC 4180 and ends every record with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', null], ['x,y', 'say "hi"'], ['line\nbreak', '-0.39']])).toBe('a,b\r\n1,\r\n"x,y","say ""hi"""\r\n"line\nbreak",-0.39\r\n');
  });

  it('reads month=YYYY-MM as the calendar month in UTC, and names a bad parameter', () => {
    expect(monthlyPeriod({ partnerId: 'p', month: '2026-12' })).toEqual({ partnerId: 'p', from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(monthlyPeriod({ from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(() => monthlyPeriod({ from: 'a' })).toThrow(ParameterError);
    expect(() => monthlyPeriod({ month: '2026-1' })).toThrow(/month/);
    expect(() => monthlyPeriod({ month: '2026-01', from: 'x' })).toThrow(/month/);
  });
});
