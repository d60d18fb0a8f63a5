import { describe, expect, it } from 'vitest';
import { callerKind } from '../src/access-log';

const viewer = (extra: Record<string, unknown>, scopes: string[] = []) => ({ subject: 's', token: 't', scopes: new Set(scopes), ...extra });

describe('the caller kind an access line names', () => {
  it('is member for a member_id claim and for a linked identity without one (signed up through the IdP)', () => {
    expect(callerKind(viewer({ memberId: 'm' }, ['member']))).toBe('member');
    expect(callerKind(viewer({ issuer: 'https://idp' }, ['member']))).toBe('member');
    expect(callerKind(viewer({ partnerId: 'p' }, ['points:earn']))).toBe('partner');
    expect(callerKind(viewer({ charityId: 'c' }, ['reports:read']))).toBe('charity');
    expect(callerKind(viewer({}, ['admin']))).toBe('admin');
    expect(callerKind(viewer({ service: true }, ['ledger:donate']))).toBe('service');
    expect(callerKind(viewer({}, ['member:signup']))).toBe('other');
    expect(callerKind(undefined)).toBe('anonymous');
  });
});
