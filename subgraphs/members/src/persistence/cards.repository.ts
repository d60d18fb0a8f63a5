import { type EntityManager } from 'typeorm';
import { selectEntities, sql } from '../../../../lib/src';
import { MemberEntity } from './member.entity';

/**
 * Card numbers, current and blocked (see migration 1739100000000-cards). It decides nothing: the cards
 * service decides who may replace a card and which number is drawn.
 */

export type CardStatus = 'ACTIVE' | 'BLOCKED';
export type CardBlockReason = 'LOST' | 'STOLEN' | 'DAMAGED';

export interface CardRow {
  cardNumber: string;
  memberId: string;
  status: CardStatus;
  issuedAt: Date;
  blockedAt: Date | null;
  blockReason: CardBlockReason | null;
}

const toCard = (r: { card_number: string; member_id: string; status: CardStatus; issued_at: Date; blocked_at: Date | null; block_reason: CardBlockReason | null }): CardRow => ({
  cardNumber: r.card_number,
  memberId: r.member_id,
  status: r.status,
  issuedAt: r.issued_at,
  blockedAt: r.blocked_at,
  blockReason: r.block_reason,
});

/** The card with this normalized number, whatever its status; null when no member ever held it. */
export async function cardByNumber(manager: EntityManager, cardNumber: string): Promise<CardRow | null> {
  const { rows } = await sql<Parameters<typeof toCard>[0]>(
    manager,
    'SELECT card_number, member_id, status, issued_at, blocked_at, block_reason FROM cards WHERE card_number = $1',
    [cardNumber],
  );
  return rows[0] ? toCard(rows[0]) : null;
}

/** Every card of these members, oldest first. */
export async function cardsOfMembers(manager: EntityManager, memberIds: readonly string[]): Promise<CardRow[]> {
  const { rows } = await sql<Parameters<typeof toCard>[0]>(
    manager,
    'SELECT card_number, member_id, status, issued_at, blocked_at, block_reason FROM cards WHERE member_id = ANY($1::uuid[]) ORDER BY issued_at, card_number',
    [[...memberIds]],
  );
  return rows.map(toCard);
}

/**
 * Blocks the member's active card and makes `newNumber` their card, in the caller's transaction (which
 * holds the member's row lock). False when `newNumber` was ever issued (nothing is written then: the
 * caller draws again).
 */
export async function replaceActiveCard(manager: EntityManager, memberId: string, newNumber: string, reason: CardBlockReason): Promise<boolean> {
  const { rows } = await sql<{ card_number: string }>(
    manager,
    `WITH blocked AS (
       UPDATE cards SET status = 'BLOCKED', blocked_at = clock_timestamp(), block_reason = $3
        WHERE member_id = $1 AND status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM cards WHERE card_number = $2)
       RETURNING card_number)
     SELECT card_number FROM blocked`,
    [memberId, newNumber, reason],
  );
  if (rows.length === 0) return false;
  await sql(manager, `INSERT INTO cards (card_number, member_id) VALUES ($1, $2)`, [newNumber, memberId]);
  await sql(manager, 'UPDATE members SET card_number = $2 WHERE id = $1', [memberId, newNumber]);
  return true;
}

/** The member whose current card this is (the hot read: one cached statement on members); null when none. */
export async function memberByCurrentCard(manager: EntityManager, cardNumber: string): Promise<MemberEntity | null> {
  const [member] = await selectEntities(manager, MemberEntity, 'card_number = $1', [cardNumber]);
  return member ?? null;
}
