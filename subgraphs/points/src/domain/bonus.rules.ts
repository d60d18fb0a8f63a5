/**
 * Rules of bonuses without a purchase (welcome, referral, birthday): which calendar period a birthday
 * falls in on the coalition's calendar, and what each side of a referral is paid.
 */

export type BirthdayOn = 'MONTH' | 'DAY';

/** A date's calendar fields in a time zone (IANA name, e.g. Europe/Oslo). */
export function localDate(at: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at);
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: field('year'), month: field('month'), day: field('day') };
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The birthdays being celebrated at `now`: the local month (MONTH), or the local day (DAY). On 28 February
 * of a year without a 29th, members born on 29 February celebrate too (once: the bonus is per year).
 */
export function birthdayPeriod(now: Date, timeZone: string, on: BirthdayOn): { year: number; month: number; day: number | null; includeLeapDay: boolean } {
  const { year, month, day } = localDate(now, timeZone);
  if (on === 'MONTH') return { year, month, day: null, includeLeapDay: false };
  return { year, month, day, includeLeapDay: month === 2 && day === 28 && !isLeapYear(year) };
}

/** The instant the local calendar year of `now` began in `timeZone`. */
export function startOfLocalYear(now: Date, timeZone: string): Date {
  const { year } = localDate(now, timeZone);
  // Midnight of 1 January as if the zone were UTC, corrected by the zone's offset then (twice: the
  // offset may differ on either side of the guess; a zone changing at midnight on 1 January is absorbed).
  let guess = Date.UTC(year, 0, 1);
  for (let i = 0; i < 2; i++) guess = Date.UTC(year, 0, 1) - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The zone's offset from UTC at `at`, in ms (positive east of Greenwich). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const f = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(f('year'), f('month') - 1, f('day'), f('hour'), f('minute'), f('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * What a settled referral pays: the friend their bonus while their membership is open; the referrer theirs
 * while open and under the yearly cap (friends paid for this calendar year). Zero means not paid.
 */
export function referralRewards(r: {
  friendPoints: bigint;
  referrerPoints: bigint;
  referrerYearlyCap: number;
  friendOpen: boolean;
  referrerOpen: boolean;
  referrerPaidThisYear: number;
  /** An ambassador's referrals pay `ambassadorReferrerPoints` instead of `referrerPoints`. */
  referrerIsAmbassador?: boolean;
  ambassadorReferrerPoints?: bigint;
}): { friend: bigint; referrer: bigint } {
  const referrerPoints = r.referrerIsAmbassador && r.ambassadorReferrerPoints !== undefined ? r.ambassadorReferrerPoints : r.referrerPoints;
  return {
    friend: r.friendOpen ? r.friendPoints : 0n,
    referrer: r.referrerOpen && r.referrerPaidThisYear < r.referrerYearlyCap ? referrerPoints : 0n,
  };
}

/** Whether a referrer with `activeFriends` active referred friends is an ambassador (minFriends 0: nobody is). */
export function reachesAmbassador(activeFriends: number, minFriends: number): boolean {
  return minFriends > 0 && activeFriends >= minFriends;
}
