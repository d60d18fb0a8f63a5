import { badInput } from '../../../../lib/src/errors';
import { parseMoney } from '../../../../lib/src/money';
import * as validate from '../../../../lib/src/validation';
import { categoryKey } from './basket.rules';
import { type Tier } from './tier.rules';

/**
 * Segments: a rule over what the ledger knows of its members, every criterion given must hold (AND).
 * Pure: validating a rule, what a partner may put in one, and what a tier name means as a range of
 * qualifying points. The SQL that evaluates a rule lives in persistence/segments.repository.ts.
 */

/** Spend or visits in a period, at one partner (or, for the admin, any) and optionally one category of goods. */
export interface ActivityCriterion {
  /** Null: at any partner (the admin's segments only). */
  partnerId: string | null;
  /** Lower-case basket category; null: whole purchases. */
  category: string | null;
  /** The last `periodDays` days, on the database clock. */
  periodDays: number;
  /** Earns (not reversed) in the period, at least; with a category, earns whose basket had a line of it. */
  minVisits: number | null;
  /** Purchases (not reversed) in the period, in `currency` only, at least this many minor units; with a category, that category's lines. */
  minSpend: { minor: bigint; currency: string } | null;
}

/** When the member last earned or spent points (at one partner, or for the admin at any). */
export interface LastActivityCriterion {
  partnerId: string | null;
  /** Active within the last N days. */
  withinDays: number | null;
  /** Not active in the last N days (lapsed; never active counts as lapsed). */
  notWithinDays: number | null;
}

export interface SegmentRule {
  /** Tier names (case-insensitive): the member's tier now is one of them. */
  tiers: string[] | null;
  /** Birth months 1 to 12. */
  birthMonths: number[] | null;
  /** City of the store the member enrolled at (case-insensitive). */
  enrolledCities: string[] | null;
  /** The member's marketing consent is this. */
  marketingConsent: boolean | null;
  /** The member's consent to partner data sharing is this. */
  partnerDataSharing: boolean | null;
  activity: ActivityCriterion[];
  lastActivity: LastActivityCriterion | null;
}

/** A rule as the API takes it (MoneyInput for spend). */
export interface SegmentRuleInput {
  tiers?: string[] | null;
  birthMonths?: number[] | null;
  enrolledCities?: string[] | null;
  marketingConsent?: boolean | null;
  partnerDataSharing?: boolean | null;
  activity?: { partnerId?: string | null; category?: string | null; periodDays: number; minVisits?: number | null; minSpend?: { amount: string; currency: string } | null }[] | null;
  lastActivity?: { partnerId?: string | null; withinDays?: number | null; notWithinDays?: number | null } | null;
}

export const SEGMENT_MAX_PERIOD_DAYS = 730;
const MAX_LIST = 50;

function days(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > SEGMENT_MAX_PERIOD_DAYS) throw badInput(field, `must be a whole number of days from 1 to ${SEGMENT_MAX_PERIOD_DAYS}`);
  return value;
}

function list<T>(field: string, values: readonly T[] | null | undefined, each: (v: T, i: number) => T): T[] | null {
  if (values == null) return null;
  if (values.length === 0 || values.length > MAX_LIST) throw badInput(field, `must list 1 to ${MAX_LIST} values when given`);
  return [...new Set(values.map(each))];
}

/**
 * Checks a rule and says whose data it may read. The admin (partnerId null) may use everything: spend
 * and visits at any partner or all of them. A partner may use only what it may know: its own spend,
 * visits and last activity (a criterion naming another partner is refused, naming none means its own),
 * and the member facts every segment may use (tier, birthday month, city of the enrolling store, consents).
 * At least one criterion: a rule of nothing would be every member.
 */
export function validateSegmentRule(input: SegmentRuleInput, owner: string | null, prefix = 'rule.'): SegmentRule {
  const partnerOf = (field: string, value: string | null | undefined): string | null => {
    const id = value == null ? null : validate.uuid(field, value);
    if (owner === null) return id;
    if (id !== null && id !== owner) throw badInput(field, "a partner's segment may use only its own spend and visits");
    return owner;
  };
  const rule: SegmentRule = {
    tiers: list(`${prefix}tiers`, input.tiers, (t, i) => validate.text(`${prefix}tiers.${i}`, t, 50)),
    birthMonths: list(`${prefix}birthMonths`, input.birthMonths, (m, i) => {
      if (!Number.isInteger(m) || m < 1 || m > 12) throw badInput(`${prefix}birthMonths.${i}`, 'must be 1 to 12');
      return m;
    }),
    enrolledCities: list(`${prefix}enrolledCities`, input.enrolledCities, (c, i) => validate.text(`${prefix}enrolledCities.${i}`, c, 100)),
    marketingConsent: input.marketingConsent ?? null,
    partnerDataSharing: input.partnerDataSharing ?? null,
    activity: [],
    lastActivity: null,
  };
  if (rule.enrolledCities) rule.enrolledCities = [...new Set(rule.enrolledCities.map(cityKey))];
  const activity = input.activity ?? [];
  if (activity.length > 10) throw badInput(`${prefix}activity`, 'must list at most 10 criteria');
  for (const [i, a] of activity.entries()) {
    const field = `${prefix}activity.${i}.`;
    const category = a.category == null || a.category.trim() === '' ? null : a.category.trim();
    if (category !== null && !/^[\x21-\x7e]{1,64}$/.test(category)) throw badInput(`${field}category`, 'must be 1 to 64 printable ASCII characters without spaces');
    if (a.minVisits != null && (!Number.isInteger(a.minVisits) || a.minVisits < 1 || a.minVisits > 100_000)) throw badInput(`${field}minVisits`, 'must be a whole number from 1 to 100000');
    if (a.minVisits == null && a.minSpend == null) throw badInput(`${field}minVisits`, 'give minVisits, minSpend or both');
    rule.activity.push({
      partnerId: partnerOf(`${field}partnerId`, a.partnerId),
      category: category === null ? null : categoryKey(category),
      periodDays: days(`${field}periodDays`, a.periodDays),
      minVisits: a.minVisits ?? null,
      minSpend: a.minSpend == null ? null : parseMoney(`${field}minSpend`, a.minSpend),
    });
  }
  if (input.lastActivity != null) {
    const l = input.lastActivity;
    const field = `${prefix}lastActivity.`;
    if (l.withinDays == null && l.notWithinDays == null) throw badInput(`${field}withinDays`, 'give withinDays, notWithinDays or both');
    const withinDays = l.withinDays == null ? null : days(`${field}withinDays`, l.withinDays);
    const notWithinDays = l.notWithinDays == null ? null : days(`${field}notWithinDays`, l.notWithinDays);
    if (withinDays !== null && notWithinDays !== null && notWithinDays >= withinDays) {
      throw badInput(`${field}notWithinDays`, 'must be fewer days than withinDays (active in the longer period, not in the shorter)');
    }
    rule.lastActivity = { partnerId: partnerOf(`${field}partnerId`, l.partnerId), withinDays, notWithinDays };
  }
  const any =
    rule.tiers || rule.birthMonths || rule.enrolledCities || rule.marketingConsent !== null || rule.partnerDataSharing !== null || rule.activity.length > 0 || rule.lastActivity;
  if (!any) throw badInput(`${prefix.replace(/\.$/, '')}`, 'must have at least one criterion');
  return rule;
}

/** Cities are compared without case or surrounding space: "Oslo" and " OSLO" are one city. */
export const cityKey = (city: string): string => city.trim().toLowerCase();

/** A range of qualifying points: from `from` (inclusive) to `to` (exclusive; null: no end). */
export interface PointsRange {
  from: bigint;
  to: bigint | null;
}

/**
 * The qualifying points that place a member in one of the named tiers, by the tier table now (the same
 * placing as `standing`: the highest tier whose threshold is reached). A name the table does not have
 * matches nobody (a renamed tier must not open a segment to everyone); no name known: an empty list.
 */
export function tierRanges(tiers: readonly Tier[], names: readonly string[]): PointsRange[] {
  const sorted = [...tiers].sort((a, b) => (a.threshold < b.threshold ? -1 : a.threshold > b.threshold ? 1 : 0));
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const ranges: PointsRange[] = [];
  sorted.forEach((t, i) => {
    if (wanted.has(t.name.toLowerCase())) ranges.push({ from: i === 0 ? 0n : t.threshold, to: sorted[i + 1]?.threshold ?? null });
  });
  return ranges;
}

/** A rule as stored (jsonb): bigints as strings. */
export type StoredSegmentRule = Omit<SegmentRule, 'activity'> & {
  activity: (Omit<ActivityCriterion, 'minSpend'> & { minSpend: { minor: string; currency: string } | null })[];
};

export const toStoredRule = (rule: SegmentRule): StoredSegmentRule => ({
  ...rule,
  activity: rule.activity.map((a) => ({ ...a, minSpend: a.minSpend && { minor: a.minSpend.minor.toString(), currency: a.minSpend.currency } })),
});

export const fromStoredRule = (stored: StoredSegmentRule): SegmentRule => ({
  ...stored,
  activity: stored.activity.map((a) => ({ ...a, minSpend: a.minSpend && { minor: BigInt(a.minSpend.minor), currency: a.minSpend.currency } })),
});
