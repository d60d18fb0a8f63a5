/**
 * Household rules: how many members a household holds, when an invitation may still be answered, and how
 * many points a member may still transfer this calendar year. Pure: the service reads the figures under
 * its locks and asks these.
 */

export interface HouseholdConfig {
  /** Members a household holds at most (HOUSEHOLD_MAX_MEMBERS). */
  maxMembers: number;
  /** Points a member may transfer to their household per calendar year (HOUSEHOLD_TRANSFER_YEARLY_LIMIT). */
  transferYearlyLimit: number;
  /** Days an invitation may be accepted (HOUSEHOLD_INVITATION_DAYS). */
  invitationDays: number;
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED' | 'EXPIRED';

/** What a member sees: a pending invitation past its expiry is EXPIRED (nothing rewrites the row). */
export function invitationStatus(stored: Exclude<InvitationStatus, 'EXPIRED'>, expiresAt: Date, now: Date): InvitationStatus {
  return stored === 'PENDING' && expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : stored;
}

/** Why joining is refused, if it is: the household would pass its cap. */
export function joinProblem(currentMembers: number, joining: number, maxMembers: number): 'HOUSEHOLD_FULL' | null {
  return currentMembers + joining > maxMembers ? 'HOUSEHOLD_FULL' : null;
}

/** What a member may still transfer this year, and whether `points` fits. */
export function transferAllowance(yearlyLimit: number, transferredThisYear: bigint, points: bigint): { remaining: bigint; fits: boolean } {
  const remaining = BigInt(yearlyLimit) - transferredThisYear;
  const left = remaining > 0n ? remaining : 0n;
  return { remaining: left, fits: points <= left };
}
