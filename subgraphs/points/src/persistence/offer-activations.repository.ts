import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type OfferActivation } from '../domain/offer.rules';
import { type GrantedActivation } from '../domain/stamp-card.rules';

/** offer_activations: members' activated earn offers (migration 1739320000000-offer-activations). */

export interface ActivationRow extends OfferActivation {
  validFrom: Date;
  validTo: Date | null;
  usesAllowed: number;
  activatedAt: Date;
  /** The stamp card whose full card gave it; null: the member activated it. */
  stampCardId: string | null;
  /** When a refund of the purchase that filled its card took it back; null: in force. */
  voidedAt: Date | null;
}

type Row = {
  id: string;
  offer_id: string;
  partner_id: string;
  kind: 'MULTIPLIER' | 'BONUS_POINTS';
  multiplier_milli: number | null;
  bonus_points: string | null;
  min_tier: string | null;
  valid_from: Date;
  valid_to: Date | null;
  uses_allowed: number;
  uses: number;
  activated_at: Date;
  stamp_card_id: string | null;
  voided_at: Date | null;
};

const toRow = (r: Row): ActivationRow => ({
  id: r.id,
  offerId: r.offer_id,
  partnerId: r.partner_id,
  kind: r.kind,
  multiplierMilli: r.multiplier_milli === null ? null : BigInt(r.multiplier_milli),
  bonusPoints: r.bonus_points === null ? null : BigInt(r.bonus_points),
  minTier: r.min_tier,
  usesLeft: r.uses_allowed - r.uses,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  usesAllowed: r.uses_allowed,
  activatedAt: r.activated_at,
  stampCardId: r.stamp_card_id,
  voidedAt: r.voided_at,
});

/** The member's activation of the offer: written now, or the one made before (one per member and offer). */
export async function activate(
  manager: EntityManager,
  a: { memberId: string; offerId: string; partnerId: string; kind: 'MULTIPLIER' | 'BONUS_POINTS'; multiplierMilli: bigint | null; bonusPoints: bigint | null; minTier: string | null; validFrom: Date; validTo: Date | null; usesAllowed: number },
): Promise<ActivationRow> {
  const { rows } = await sql<Row>(
    manager,
    `WITH inserted AS (
       INSERT INTO offer_activations (member_id, offer_id, partner_id, kind, multiplier_milli, bonus_points, min_tier, valid_from, valid_to, uses_allowed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (member_id, offer_id) WHERE granted_by_transaction IS NULL DO NOTHING RETURNING *)
     SELECT * FROM inserted
      UNION ALL SELECT * FROM offer_activations WHERE member_id = $1 AND offer_id = $2 AND granted_by_transaction IS NULL AND NOT EXISTS (SELECT 1 FROM inserted)`,
    [a.memberId, a.offerId, a.partnerId, a.kind, a.multiplierMilli?.toString() ?? null, a.bonusPoints?.toString() ?? null, a.minTier, a.validFrom, a.validTo, a.usesAllowed],
  );
  return toRow(rows[0]);
}

/** A reversed earn gives back the use of each activation it applied (offer_uses names them). */
export async function returnOfferUses(manager: EntityManager, memberId: string, earnTransactionId: string): Promise<void> {
  await sql(
    manager,
    `UPDATE offer_activations SET uses = uses - 1
      WHERE member_id = $1 AND uses > 0 AND id IN (SELECT activation_id FROM offer_uses WHERE transaction_id = $2)`,
    [memberId, earnTransactionId],
  );
}

/**
 * The activations a stamp card's fills gave the member, not voided, with whether `refundedEarnId` gave
 * them and the points their uses gave at earns not since reversed (the caller holds the member's lock).
 */
export async function grantedActivations(manager: EntityManager, memberId: string, cardId: string, refundedEarnId: string): Promise<GrantedActivation[]> {
  const { rows } = await sql<{ id: string; by_refunded: boolean; activated_at: Date; points_given: string }>(
    manager,
    `SELECT a.id, a.granted_by_transaction = $3 AS by_refunded, a.activated_at,
            (SELECT coalesce(sum(u.points), 0) FROM offer_uses u
              WHERE u.activation_id = a.id AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses = u.transaction_id))::text AS points_given
       FROM offer_activations a WHERE a.member_id = $1 AND a.stamp_card_id = $2 AND a.voided_at IS NULL`,
    [memberId, cardId, refundedEarnId],
  );
  return rows.map((r) => ({ id: r.id, grantedByRefunded: r.by_refunded, activatedAt: r.activated_at, pointsGiven: BigInt(r.points_given) }));
}

/** Voids granted activations: they apply to no earn from now on (their past uses stand). */
export async function voidActivations(manager: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql(manager, 'UPDATE offer_activations SET voided_at = now() WHERE id = ANY($1::uuid[]) AND voided_at IS NULL', [[...ids]]);
}

/** The member's activations, newest first (at most 200). */
export async function activationsOf(manager: EntityManager, memberId: string): Promise<ActivationRow[]> {
  const { rows } = await sql<Row>(manager, 'SELECT * FROM offer_activations WHERE member_id = $1 ORDER BY activated_at DESC, id LIMIT 200', [memberId]);
  return rows.map(toRow);
}

/** JSON of the activations an earn at $1 for member $2 may apply now: for readPricingContexts. */
export const OPEN_ACTIVATIONS_JSON = `(SELECT json_agg(json_build_object('id', id, 'offer_id', offer_id, 'partner_id', partner_id, 'kind', kind,
           'multiplier_milli', multiplier_milli, 'bonus_points', bonus_points::text, 'min_tier', min_tier, 'uses_left', uses_allowed - uses) ORDER BY activated_at, id)
      FROM offer_activations WHERE member_id = $2 AND partner_id = $1 AND uses < uses_allowed AND voided_at IS NULL AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now()))`;

export type OpenActivationJson = { id: string; offer_id: string; partner_id: string; kind: 'MULTIPLIER' | 'BONUS_POINTS'; multiplier_milli: number | null; bonus_points: string | null; min_tier: string | null; uses_left: number };

export const fromOpenActivationJson = (r: OpenActivationJson): OfferActivation => ({
  id: r.id,
  offerId: r.offer_id,
  partnerId: r.partner_id,
  kind: r.kind,
  multiplierMilli: r.multiplier_milli === null ? null : BigInt(r.multiplier_milli),
  bonusPoints: r.bonus_points === null ? null : BigInt(r.bonus_points),
  minTier: r.min_tier,
  usesLeft: r.uses_left,
});

/** Records that REDEEM transaction `transactionId` redeemed a POINTS_PRICE offer at its price (migration 1740470000000). */
export async function recordOfferRedemption(manager: EntityManager, r: { transactionId: string; offerId: string; memberId: string; partnerId: string; points: bigint }): Promise<void> {
  await sql(manager, 'INSERT INTO offer_redemptions (transaction_id, offer_id, member_id, partner_id, points) VALUES ($1, $2, $3, $4, $5)', [
    r.transactionId,
    r.offerId,
    r.memberId,
    r.partnerId,
    r.points.toString(),
  ]);
}

/** The POINTS_PRICE offer each of these transactions redeemed (transactions the caller may already see). */
export async function redeemedOffers(manager: EntityManager, transactionIds: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await sql<{ transaction_id: string; offer_id: string }>(manager, 'SELECT transaction_id, offer_id FROM offer_redemptions WHERE transaction_id = ANY($1::uuid[])', [
    [...transactionIds],
  ]);
  return new Map(rows.map((r) => [r.transaction_id, r.offer_id]));
}
