import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';

/**
 * Households, their members, invitations and transfers (migration 1741300000000-households), inside a
 * caller's database transaction. HouseholdService decides; this reads and writes.
 */

export interface HouseholdMemberRow {
  member_id: string;
  household_id: string;
  display_name: string;
  joined_at: Date;
}

export interface InvitationRow {
  id: string;
  inviter_id: string;
  inviter_name: string;
  invitee_id: string;
  status: 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'CANCELLED';
  household_id: string | null;
  created_at: Date;
  expires_at: Date;
  answered_at: Date | null;
}

export interface TransferRow {
  id: string;
  household_id: string;
  sender_id: string;
  recipient_id: string;
  points: string;
  out_transaction_id: string;
  in_transaction_id: string;
  created_at: Date;
}

const INVITATION = 'id, inviter_id, inviter_name, invitee_id, status, household_id, created_at, expires_at, answered_at';
const TRANSFER = 'id, household_id, sender_id, recipient_id, points::text, out_transaction_id, in_transaction_id, created_at';

/**
 * Serialises household changes that involve these members (joining, leaving, forming a household) until
 * the transaction ends: transaction-level advisory locks, taken in id order so two callers never wait in a
 * cycle. Ledger writes do not take them.
 */
export async function lockHouseholdMembers(manager: EntityManager, memberIds: readonly string[]): Promise<void> {
  await sql(manager, `SELECT pg_advisory_xact_lock(hashtextextended('household:' || m, 0)) FROM unnest($1::text[]) AS m ORDER BY m`, [[...new Set(memberIds)].sort()]);
}

/** The member's household membership now, or null. `share` keeps it from changing until the transaction ends. */
export async function membershipOf(manager: EntityManager, memberId: string, lock: 'share' | null = null): Promise<HouseholdMemberRow | null> {
  const { rows } = await sql<HouseholdMemberRow>(
    manager,
    `SELECT member_id, household_id, display_name, joined_at FROM household_members WHERE member_id = $1 ${lock === 'share' ? 'FOR SHARE' : ''}`,
    [memberId],
  );
  return rows[0] ?? null;
}

/** The memberships of several members at once, locked FOR SHARE (the rows a transfer relies on). */
export async function shareMemberships(manager: EntityManager, memberIds: readonly string[]): Promise<HouseholdMemberRow[]> {
  const { rows } = await sql<HouseholdMemberRow>(
    manager,
    'SELECT member_id, household_id, display_name, joined_at FROM household_members WHERE member_id = ANY($1::uuid[]) ORDER BY member_id FOR SHARE',
    [[...memberIds]],
  );
  return rows;
}

/** The household's members, earliest to join first. */
export async function householdMembers(manager: EntityManager, householdId: string): Promise<HouseholdMemberRow[]> {
  const { rows } = await sql<HouseholdMemberRow>(
    manager,
    'SELECT member_id, household_id, display_name, joined_at FROM household_members WHERE household_id = $1 ORDER BY joined_at, member_id',
    [householdId],
  );
  return rows;
}

/** Locks a household's row: joins and leaves of one household serialise here (the cap is counted under it). */
export async function lockHousehold(manager: EntityManager, householdId: string): Promise<void> {
  await sql(manager, 'SELECT id FROM households WHERE id = $1 FOR UPDATE', [householdId]);
}

export async function createHousehold(manager: EntityManager, createdBy: string): Promise<string> {
  const { rows } = await sql<{ id: string }>(manager, 'INSERT INTO households (created_by) VALUES ($1) RETURNING id', [createdBy]);
  return rows[0].id;
}

export async function addHouseholdMember(manager: EntityManager, householdId: string, memberId: string, displayName: string): Promise<void> {
  await sql(manager, 'INSERT INTO household_members (household_id, member_id, display_name) VALUES ($1, $2, $3)', [householdId, memberId, displayName]);
}

/** The member leaves; when fewer than two are left the household is dissolved (the last one leaves too). Answers who left. */
export async function leaveHousehold(manager: EntityManager, memberId: string, householdId: string): Promise<string[]> {
  await sql(manager, 'DELETE FROM household_members WHERE member_id = $1', [memberId]);
  const left = [memberId];
  const rest = await householdMembers(manager, householdId);
  if (rest.length < 2) {
    await sql(manager, 'DELETE FROM household_members WHERE household_id = $1', [householdId]);
    await sql(manager, 'UPDATE households SET dissolved_at = now() WHERE id = $1', [householdId]);
    left.push(...rest.map((r) => r.member_id));
  }
  return left;
}

export async function insertInvitation(manager: EntityManager, i: { inviterId: string; inviterName: string; inviteeId: string; days: number }): Promise<InvitationRow> {
  const { rows } = await sql<InvitationRow>(
    manager,
    `INSERT INTO household_invitations (inviter_id, inviter_name, invitee_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(days => $4))
     RETURNING ${INVITATION}`,
    [i.inviterId, i.inviterName, i.inviteeId, i.days],
  );
  return rows[0];
}

/** The inviter's pending invitation to the invitee (expired or not), locked. */
export async function pendingInvitation(manager: EntityManager, inviterId: string, inviteeId: string): Promise<InvitationRow | null> {
  const { rows } = await sql<InvitationRow>(
    manager,
    `SELECT ${INVITATION} FROM household_invitations WHERE inviter_id = $1 AND invitee_id = $2 AND status = 'PENDING' FOR UPDATE`,
    [inviterId, inviteeId],
  );
  return rows[0] ?? null;
}

/** Closes a pending invitation that expired, so that a new one can be sent (the pending key allows one). */
export async function closeExpiredInvitation(manager: EntityManager, id: string): Promise<void> {
  await sql(manager, `UPDATE household_invitations SET status = 'CANCELLED', answered_at = now() WHERE id = $1 AND status = 'PENDING' AND expires_at <= now()`, [id]);
}

export async function invitationById(manager: EntityManager, id: string, lock = false): Promise<InvitationRow | null> {
  const { rows } = await sql<InvitationRow>(manager, `SELECT ${INVITATION} FROM household_invitations WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

/** Whether the database clock has passed the invitation's expiry. */
export async function invitationExpired(manager: EntityManager, id: string): Promise<boolean> {
  const { rows } = await sql<{ expired: boolean }>(manager, 'SELECT expires_at <= now() AS expired FROM household_invitations WHERE id = $1', [id]);
  return rows[0]?.expired ?? true;
}

export async function answerInvitation(manager: EntityManager, id: string, status: 'ACCEPTED' | 'DECLINED', householdId: string | null): Promise<InvitationRow> {
  const { rows } = await sql<InvitationRow>(
    manager,
    `UPDATE household_invitations SET status = $2, household_id = $3, answered_at = now() WHERE id = $1 RETURNING ${INVITATION}`,
    [id, status, householdId],
  );
  return rows[0];
}

/** Withdraws the pending invitations the members sent (they left their household, or were erased). */
export async function cancelInvitationsFrom(manager: EntityManager, inviterIds: readonly string[]): Promise<void> {
  await sql(manager, `UPDATE household_invitations SET status = 'CANCELLED', answered_at = now() WHERE inviter_id = ANY($1::uuid[]) AND status = 'PENDING'`, [[...inviterIds]]);
}

/** Invitations the member received that are still pending and not expired, newest first. */
export async function invitationsTo(manager: EntityManager, inviteeId: string): Promise<InvitationRow[]> {
  const { rows } = await sql<InvitationRow>(
    manager,
    `SELECT ${INVITATION} FROM household_invitations WHERE invitee_id = $1 AND status = 'PENDING' AND expires_at > now() ORDER BY created_at DESC, id LIMIT 50`,
    [inviteeId],
  );
  return rows;
}

/** Invitations sent by any of the members that are still pending and not expired, newest first. */
export async function invitationsFrom(manager: EntityManager, inviterIds: readonly string[]): Promise<InvitationRow[]> {
  const { rows } = await sql<InvitationRow>(
    manager,
    `SELECT ${INVITATION} FROM household_invitations WHERE inviter_id = ANY($1::uuid[]) AND status = 'PENDING' AND expires_at > now() ORDER BY created_at DESC, id LIMIT 50`,
    [[...inviterIds]],
  );
  return rows;
}

/** Points the member transferred since `since` (the yearly limit counts these). */
export async function transferredSince(manager: EntityManager, senderId: string, since: Date): Promise<bigint> {
  const { rows } = await sql<{ points: string }>(
    manager,
    'SELECT coalesce(sum(points), 0)::text AS points FROM household_transfers WHERE sender_id = $1 AND created_at >= $2',
    [senderId, since],
  );
  return BigInt(rows[0].points);
}

export async function insertTransfer(
  manager: EntityManager,
  t: { householdId: string; senderId: string; recipientId: string; points: bigint; outTransactionId: string; inTransactionId: string },
): Promise<TransferRow> {
  const { rows } = await sql<TransferRow>(
    manager,
    `INSERT INTO household_transfers (household_id, sender_id, recipient_id, points, out_transaction_id, in_transaction_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TRANSFER}`,
    [t.householdId, t.senderId, t.recipientId, t.points.toString(), t.outTransactionId, t.inTransactionId],
  );
  return rows[0];
}

export async function transferById(manager: EntityManager, id: string): Promise<TransferRow | null> {
  const { rows } = await sql<TransferRow>(manager, `SELECT ${TRANSFER} FROM household_transfers WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The member's transfers, sent or received, newest first. */
export async function transfersOf(manager: EntityManager, memberId: string, limit: number): Promise<TransferRow[]> {
  const { rows } = await sql<TransferRow>(
    manager,
    `SELECT ${TRANSFER} FROM household_transfers WHERE sender_id = $1 OR recipient_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
    [memberId, limit],
  );
  return rows;
}

/**
 * Moves `points` from the sender's lots to the recipient, oldest expiry first (the order every spend draws
 * in), in one statement: each draw empties part of a sender's lot (a movement of `outTransactionId`) and
 * becomes a new lot of the recipient with the same earn, issuer, price, earn time and expiry
 * (`transferred_from` naming the lot drawn; its own movement of `inTransactionId`). The caller holds both
 * accounts' locks, has expired what is due and checked the available points, and posts the points.
 * Answers the points moved.
 */
export async function moveTransferLots(
  manager: EntityManager,
  t: { fromAccountId: string; toAccountId: string; points: bigint; outTransactionId: string; inTransactionId: string },
): Promise<bigint> {
  const { rows } = await sql<{ points: string }>(
    manager,
    `WITH locked AS MATERIALIZED (
       SELECT id, transaction_id, partner_id, remaining, earned_at, expires_at, unit_price, price_currency
         FROM lots WHERE account_id = $1 AND remaining > 0 FOR UPDATE),
     ordered AS (
       SELECT *, sum(remaining) OVER (ORDER BY expires_at, earned_at, id) - remaining AS before FROM locked),
     drawn AS MATERIALIZED (
       SELECT *, least(remaining, $3::bigint - before) AS take FROM ordered WHERE before < $3::bigint),
     emptied AS (
       UPDATE lots l SET remaining = l.remaining - d.take FROM drawn d WHERE l.id = d.id),
     drawn_moves AS (
       INSERT INTO lot_movements (transaction_id, lot_id, points) SELECT $4, id, -take FROM drawn),
     copied AS (
       INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, earned_at, expires_at, unit_price, price_currency, transferred_from, transfer_transaction_id)
       SELECT $2, transaction_id, partner_id, take, take, earned_at, expires_at, unit_price, price_currency, id, $5 FROM drawn
       RETURNING id, points),
     copied_moves AS (
       INSERT INTO lot_movements (transaction_id, lot_id, points) SELECT $5, id, points FROM copied)
     SELECT coalesce(sum(take), 0)::text AS points FROM drawn`,
    [t.fromAccountId, t.toAccountId, t.points.toString(), t.outTransactionId, t.inTransactionId],
  );
  return BigInt(rows[0].points);
}

/**
 * Takes a member whose membership closed (or was merged away) out of their household, as if they had left
 * (a household of one is dissolved) and withdraws their open invitations. Its own transaction, after the
 * closing's: taking household rows while holding the account lock could deadlock with a transfer, which
 * holds memberships first and accounts second. Idempotent.
 */
export async function withdrawFromHousehold(manager: EntityManager, memberId: string): Promise<void> {
  await manager.transaction(async (m) => {
    await lockHouseholdMembers(m, [memberId]);
    const mine = await membershipOf(m, memberId);
    let left = [memberId];
    if (mine) {
      await lockHousehold(m, mine.household_id);
      left = await leaveHousehold(m, memberId, mine.household_id);
    }
    await cancelInvitationsFrom(m, left);
    await sql(m, `UPDATE household_invitations SET status = 'CANCELLED', answered_at = now() WHERE invitee_id = $1 AND status = 'PENDING'`, [memberId]);
  });
}
