import { describe, expect, it } from 'vitest';
import { canReadKpis, kpiId, kpiMonths, kpiScope, parseKpiId, ratio } from '../src/kpis';
import { type Viewer } from '../src/auth';

const viewer = (scopes: string[], partnerId?: string): Viewer => ({ subject: 's', scopes: new Set(scopes), partnerId, token: 't' });
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('programme KPI scope', () => {
  it('splits a period into calendar months (UTC), clipped to it', () => {
    const months = kpiMonths({ from: new Date('2026-10-15T12:00:00Z'), to: new Date('2026-12-02T00:00:00Z'), partnerId: null });
    expect(months.map((m) => [m.from.toISOString(), m.to.toISOString()])).toEqual([
      ['2026-10-15T12:00:00.000Z', '2026-11-01T00:00:00.000Z'],
      ['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
      ['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'],
    ]);
  });

  it('rounds ratios half up to 4 places and answers 0 for nothing earned', () => {
    expect(ratio(40n, 170n)).toBe('0.2353');
    expect(ratio(1n, 3n)).toBe('0.3333');
    expect(ratio(2n, 3n)).toBe('0.6667');
    expect(ratio(1n, 8n)).toBe('0.125');
    expect(ratio(5n, 5n)).toBe('1');
    expect(ratio(5n, 0n)).toBe('0');
    expect(ratio(-1n, 4n)).toBe('-0.25');
  });

  it('gives the admin the coalition, a partner its own, and refuses anyone else', () => {
    expect(kpiScope(viewer(['admin']), '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', null).partnerId).toBeNull();
    expect(kpiScope(viewer(['reports:read'], A), '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', null).partnerId).toBe(A);
    expect(() => kpiScope(viewer(['reports:read'], A), '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', B)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => kpiScope(viewer(['points:earn'], A), '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', A)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => kpiScope(viewer(['admin']), '2026-11-01T00:00:00Z', '2028-01-01T00:00:00Z', null)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('round-trips an entity id and re-checks the reader on it', () => {
    const scope = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), partnerId: A };
    expect(parseKpiId(kpiId(scope))).toEqual(scope);
    expect(parseKpiId('2026-11-01T00:00:00.000Z~2026-12-01T00:00:00.000Z~not-a-partner')).toBeNull();
    expect(canReadKpis(viewer(['reports:read'], A), scope)).toBe(true);
    expect(canReadKpis(viewer(['reports:read'], B), scope)).toBe(false);
    expect(canReadKpis(viewer(['reports:read'], A), { ...scope, partnerId: null })).toBe(false);
    expect(canReadKpis(viewer(['admin']), { ...scope, partnerId: null })).toBe(true);
  });
});
