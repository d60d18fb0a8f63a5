/** Why a member got points: each rule that gave points in a transaction. */
export const AWARD_KINDS = ['BASE', 'TIER', 'CAMPAIGN', 'CATEGORY', 'OFFER', 'STAMP_CARD', 'MEMBERSHIP', 'WELCOME', 'REFERRAL', 'BIRTHDAY', 'GOODWILL', 'GAME'] as const;
export type AwardKind = (typeof AWARD_KINDS)[number];

export interface Award {
  kind: AwardKind;
  /** Never zero: a rule that gave nothing is not an award. Negative only on a reversal. */
  points: bigint;
  /** The partner that pays for these points at its issue price; null: the coalition's marketing budget. */
  fundedBy: string | null;
  /** The rule that gave them (a campaign's, an offer's, a stamp card's id...), when there is one. */
  ruleId: string | null;
}

/** The awards that gave points (zero awards dropped), in order. */
export function nonZeroAwards(awards: readonly Award[]): Award[] {
  return awards.filter((a) => a.points !== 0n);
}

/** What a transaction's awards add up to: its points. */
export function awardTotal(awards: readonly Award[]): bigint {
  return awards.reduce((sum, a) => sum + a.points, 0n);
}

/** Points per funder (null: the coalition), in first-seen order: what each issuer pays for. */
export function pointsByFunder(awards: readonly Award[]): Map<string | null, bigint> {
  const byFunder = new Map<string | null, bigint>();
  for (const a of awards) byFunder.set(a.fundedBy, (byFunder.get(a.fundedBy) ?? 0n) + a.points);
  return byFunder;
}
