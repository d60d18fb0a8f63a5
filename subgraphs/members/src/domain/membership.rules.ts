import { AppError } from '../../../../lib/src/errors';

/**
 * Whether anything may still be written for a member: not once the membership is closed (or merged into
 * another member), nor while a closing or a merge of it is under way (its points are being settled).
 */
export function requireOpenMembership(member: { status: string; mergedInto?: string | null }, settling = false): void {
  if (member.status !== 'ACTIVE' || settling) throw new AppError('MEMBER_CLOSED');
}
