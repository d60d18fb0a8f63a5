import { describe, expect, it } from 'vitest';
import { birthdayPeriod, isTimeZone, reachesAmbassador, referralRewards, startOfLocalYear } from '../domain/bonus.rules';

describe('birthday period', () => {
  it("follows the coalition's calendar, not UTC", () => {
    // 23:30 UTC on 31 January is already 1 February in Oslo.
    const at = new Date('2027-01-31T23:30:00Z');
    expect(birthdayPeriod(at, 'UTC', 'MONTH')).toEqual({ year: 2027, month: 1, day: null, includeLeapDay: false });
    expect(birthdayPeriod(at, 'Europe/Oslo', 'MONTH')).toEqual({ year: 2027, month: 2, day: null, includeLeapDay: false });
    expect(birthdayPeriod(at, 'Europe/Oslo', 'DAY')).toEqual({ year: 2027, month: 2, day: 1, includeLeapDay: false });
  });

  it('members born on 29 February celebrate on the 28th in other years, and on the 29th in leap years', () => {
    expect(birthdayPeriod(new Date('2027-02-28T12:00:00Z'), 'UTC', 'DAY')).toMatchObject({ day: 28, includeLeapDay: true });
    expect(birthdayPeriod(new Date('2028-02-28T12:00:00Z'), 'UTC', 'DAY')).toMatchObject({ day: 28, includeLeapDay: false });
    expect(birthdayPeriod(new Date('2100-02-28T12:00:00Z'), 'UTC', 'DAY')).toMatchObject({ includeLeapDay: true });
  });
});

describe('start of the local year', () => {
  it('is local midnight of 1 January', () => {
    expect(startOfLocalYear(new Date('2027-06-01T00:00:00Z'), 'UTC').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(startOfLocalYear(new Date('2027-06-01T00:00:00Z'), 'Europe/Oslo').toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(startOfLocalYear(new Date('2027-06-01T00:00:00Z'), 'America/New_York').toISOString()).toBe('2027-01-01T05:00:00.000Z');
    // Just after local midnight on 1 January in Oslo it is still the old year in UTC.
    expect(startOfLocalYear(new Date('2026-12-31T23:30:00Z'), 'Europe/Oslo').toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Oslo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('referral rewards', () => {
  const base = { friendPoints: 200n, referrerPoints: 500n, referrerYearlyCap: 3, friendOpen: true, referrerOpen: true, referrerPaidThisYear: 0 };
  it('pays both; the referrer only under the cap and while open; the friend while open', () => {
    expect(referralRewards(base)).toEqual({ friend: 200n, referrer: 500n });
    expect(referralRewards({ ...base, referrerPaidThisYear: 2 })).toEqual({ friend: 200n, referrer: 500n });
    expect(referralRewards({ ...base, referrerPaidThisYear: 3 })).toEqual({ friend: 200n, referrer: 0n });
    expect(referralRewards({ ...base, referrerOpen: false })).toEqual({ friend: 200n, referrer: 0n });
    expect(referralRewards({ ...base, friendOpen: false })).toEqual({ friend: 0n, referrer: 500n });
  });

  it("pays an ambassador's referrer bonus instead, under the same cap; without one configured, the usual", () => {
    const ambassador = { ...base, referrerIsAmbassador: true, ambassadorReferrerPoints: 900n };
    expect(referralRewards(ambassador)).toEqual({ friend: 200n, referrer: 900n });
    expect(referralRewards({ ...ambassador, referrerPaidThisYear: 3 })).toEqual({ friend: 200n, referrer: 0n });
    expect(referralRewards({ ...ambassador, ambassadorReferrerPoints: undefined })).toEqual({ friend: 200n, referrer: 500n });
    expect(referralRewards({ ...base, ambassadorReferrerPoints: 900n })).toEqual({ friend: 200n, referrer: 500n });
  });

  it('makes an ambassador at the threshold of active friends; a threshold of 0 makes none', () => {
    expect([reachesAmbassador(2, 3), reachesAmbassador(3, 3), reachesAmbassador(10, 0)]).toEqual([false, true, false]);
  });
});
