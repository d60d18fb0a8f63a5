import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/reports-csv';

describe('CSV rendering', () => {
  it('quotes per RFC 4180 and ends every record with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', null], ['x,y', 'say "hi"'], ['line\nbreak', '-0.39']])).toBe('a,b\r\n1,\r\n"x,y","say ""hi"""\r\n"line\nbreak",-0.39\r\n');
  });
});
