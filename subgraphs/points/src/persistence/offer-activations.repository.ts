import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type OfferActivation } from '../domain/offer.rules';

/** offer_activations: members' activated earn offers (migration 1739320000000-offer-activations). */

export interface ActivationRow extends OfferActivation {
  validFrom: Date;
  validTo: Date | null;
  usesAllowed: number;
  activatedAt: Date;
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
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (member_id, offer_id) DO NOTHING RETURNING *)
     SELECT * FROM inserted UNION ALL SELECT * FROM offer_activations WHERE member_id = $1 AND offer_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
    [a.memberId, a.offerId, a.partnerId, a.kind, a.multiplierMilli?.toString() ?? null, a.bonusPoints?.toString() ?? null, a.minTier, a.validFrom, a.validTo, a.usesAllowed],
  );
  return toRow(rows[0]);
}

/** Counts one use of each activation (an earn applied them). */
export async function useActivations(manager: EntityManager, activationIds: readonly string[]): Promise<void> {
  if (activationIds.length === 0) return;
  await sql(manager, 'UPDATE offer_activations SET uses = uses + 1 WHERE id = ANY($1::uuid[])', [[...activationIds]]);
}

/** A reversed earn gives back the uses of the offers it applied (its OFFER awards name them). */
export async function returnOfferUses(manager: EntityManager, memberId: string, earnTransactionId: string): Promise<void> {
  await sql(
    manager,
    `UPDATE offer_activations SET uses = uses - 1
      WHERE member_id = $1 AND uses > 0
        AND offer_id IN (SELECT rule_id::uuid FROM transaction_awards WHERE transaction_id = $2 AND kind = 'OFFER')`,
    [memberId, earnTransactionId],
  );
}

/** The member's activations, newest first (at most 200). */
export async function activationsOf(manager: EntityManager, memberId: string): Promise<ActivationRow[]> {
  const { rows } = await sql<Row>(manager, 'SELECT * FROM offer_activations WHERE member_id = $1 ORDER BY activated_at DESC, id LIMIT 200', [memberId]);
  return rows.map(toRow);
}

/** JSON of the activations an earn at $1 for member $2 may apply now: for readPricingContext. */
export const OPEN_ACTIVATIONS_JSON = `(SELECT json_agg(json_build_object('id', id, 'offer_id', offer_id, 'partner_id', partner_id, 'kind', kind,
           'multiplier_milli', multiplier_milli, 'bonus_points', bonus_points::text, 'min_tier', min_tier, 'uses_left', uses_allowed - uses) ORDER BY activated_at, id)
      FROM offer_activations WHERE member_id = $2 AND partner_id = $1 AND uses < uses_allowed AND valid_from <= now() AND (valid_to IS NULL OR valid_to > now()))`;

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
