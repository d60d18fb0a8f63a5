import { type EntityManager } from 'typeorm';
import { sql } from '../../../../lib/src';
import { type StampCard, type StampOutcome, type StampProgress } from '../domain/stamp-card.rules';

/** Stamp cards, members' progress and what each earn collected (migration 1739330000000-stamp-cards). */

export interface StampCardRow extends StampCard {
  minAmountCurrency: string | null;
  startsAt: Date;
  endsAt: Date | null;
}

type CardRow = {
  id: string;
  partner_id: string;
  name: string;
  stamps_required: number;
  min_amount_minor: string | null;
  min_amount_currency: string | null;
  category: string | null;
  sku: string | null;
  per_quantity: boolean;
  reward_points: string | null;
  reward_offer_id: string | null;
  reward_offer_kind: 'MULTIPLIER' | 'BONUS_POINTS' | null;
  reward_multiplier_milli: number | null;
  reward_bonus_points: string | null;
  reward_min_tier: string | null;
  reward_valid_from: Date | string | null;
  reward_valid_to: Date | string | null;
  reward_uses: number | null;
  starts_at: Date | string;
  ends_at: Date | string | null;
};

/** The card columns every read selects (JSON-built reads use the same names). */
const CARD_COLUMNS = `c.id, c.partner_id, c.name, c.stamps_required, c.min_amount_minor::text, c.min_amount_currency, c.category, c.sku, c.per_quantity,
  c.reward_points::text, c.reward_offer_id, c.reward_offer_kind, c.reward_multiplier_milli, c.reward_bonus_points::text, c.reward_min_tier,
  c.reward_valid_from, c.reward_valid_to, c.reward_uses, c.starts_at, c.ends_at`;

const toCard = (r: CardRow): StampCardRow => ({
  id: r.id,
  partnerId: r.partner_id,
  name: r.name,
  stampsRequired: r.stamps_required,
  minAmountMinor: r.min_amount_minor === null ? null : BigInt(r.min_amount_minor),
  minAmountCurrency: r.min_amount_currency,
  category: r.category,
  sku: r.sku,
  perQuantity: r.per_quantity,
  rewardPoints: r.reward_points === null ? null : BigInt(r.reward_points),
  rewardOffer:
    r.reward_offer_id === null
      ? null
      : {
          offerId: r.reward_offer_id,
          kind: r.reward_offer_kind as 'MULTIPLIER' | 'BONUS_POINTS',
          multiplierMilli: r.reward_multiplier_milli === null ? null : BigInt(r.reward_multiplier_milli),
          bonusPoints: r.reward_bonus_points === null ? null : BigInt(r.reward_bonus_points),
          minTier: r.reward_min_tier,
          validFrom: new Date(r.reward_valid_from as Date | string),
          validTo: r.reward_valid_to === null ? null : new Date(r.reward_valid_to),
          uses: r.reward_uses as number,
        },
  startsAt: new Date(r.starts_at),
  endsAt: r.ends_at === null ? null : new Date(r.ends_at),
});

export async function insertStampCard(manager: EntityManager, c: Omit<StampCardRow, 'id'> & { createdBy: string }): Promise<StampCardRow> {
  const o = c.rewardOffer;
  const { rows } = await sql<CardRow>(
    manager,
    `WITH c AS (
       INSERT INTO stamp_cards (partner_id, name, stamps_required, min_amount_minor, min_amount_currency, category, sku, per_quantity, reward_points, starts_at, ends_at, created_by,
                                reward_offer_id, reward_offer_kind, reward_multiplier_milli, reward_bonus_points, reward_min_tier, reward_valid_from, reward_valid_to, reward_uses)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, now()), $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING *)
     SELECT ${CARD_COLUMNS} FROM c`,
    [
      c.partnerId, c.name, c.stampsRequired, c.minAmountMinor?.toString() ?? null, c.minAmountCurrency, c.category, c.sku, c.perQuantity, c.rewardPoints?.toString() ?? null, c.startsAt, c.endsAt, c.createdBy,
      o?.offerId ?? null, o?.kind ?? null, o?.multiplierMilli?.toString() ?? null, o?.bonusPoints?.toString() ?? null, o?.minTier ?? null, o?.validFrom ?? null, o?.validTo ?? null, o?.uses ?? null,
    ],
  );
  return toCard(rows[0]);
}

/** One card by id; undefined when there is none. */
export async function findStampCard(manager: EntityManager, id: string): Promise<StampCardRow | undefined> {
  const { rows } = await sql<CardRow>(manager, `SELECT ${CARD_COLUMNS} FROM stamp_cards c WHERE c.id = $1`, [id]);
  return rows[0] ? toCard(rows[0]) : undefined;
}

/** A partner's cards (null: every partner's), newest first, at most 200. */
export async function listStampCards(manager: EntityManager, partnerId: string | null): Promise<StampCardRow[]> {
  const { rows } = await sql<CardRow>(
    manager,
    `SELECT ${CARD_COLUMNS} FROM stamp_cards c WHERE $1::uuid IS NULL OR c.partner_id = $1 ORDER BY c.created_at DESC, c.id LIMIT 200`,
    [partnerId],
  );
  return rows.map(toCard);
}

/** JSON of the cards in force now at partner $1 with member $2's progress: for readPricingContexts. */
export const OPEN_CARDS_JSON = `(SELECT json_agg(json_build_object('id', c.id, 'partner_id', c.partner_id, 'name', c.name, 'stamps_required', c.stamps_required,
           'min_amount_minor', c.min_amount_minor::text, 'min_amount_currency', c.min_amount_currency, 'category', c.category, 'sku', c.sku, 'per_quantity', c.per_quantity,
           'reward_points', c.reward_points::text, 'reward_offer_id', c.reward_offer_id, 'reward_offer_kind', c.reward_offer_kind,
           'reward_multiplier_milli', c.reward_multiplier_milli, 'reward_bonus_points', c.reward_bonus_points::text, 'reward_min_tier', c.reward_min_tier,
           'reward_valid_from', c.reward_valid_from, 'reward_valid_to', c.reward_valid_to, 'reward_uses', c.reward_uses, 'starts_at', c.starts_at, 'ends_at', c.ends_at,
           'stamps', coalesce(p.stamps, 0), 'filled', coalesce(p.filled, 0)) ORDER BY c.id)
      FROM stamp_cards c LEFT JOIN stamp_card_progress p ON p.card_id = c.id AND p.member_id = $2
     WHERE c.partner_id = $1 AND c.starts_at <= now() AND (c.ends_at IS NULL OR c.ends_at > now()))`;

export type OpenCardJson = CardRow & { stamps: number; filled: number };
export const fromOpenCardJson = (r: OpenCardJson): StampCardRow & { progress: StampProgress } => ({ ...toCard(r), progress: { stamps: r.stamps, filled: r.filled } });

/** Writes what an earn collected and each card's progress after it, in one statement (the member's account lock serialises them). */
export async function recordStamps(manager: EntityManager, transactionId: string, memberId: string, outcomes: readonly StampOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await sql(
    manager,
    `WITH o AS (SELECT * FROM unnest($3::uuid[], $4::int[], $5::int[], $6::int[], $7::int[]) AS o (card_id, stamps, filled, after_stamps, after_filled)),
          ev AS (INSERT INTO stamp_events (transaction_id, card_id, member_id, stamps, filled) SELECT $1, card_id, $2, stamps, filled FROM o)
     INSERT INTO stamp_card_progress (member_id, card_id, stamps, filled) SELECT $2, card_id, after_stamps, after_filled FROM o
     ON CONFLICT (member_id, card_id) DO UPDATE SET stamps = EXCLUDED.stamps, filled = EXCLUDED.filled`,
    [transactionId, memberId, outcomes.map((o) => o.cardId), outcomes.map((o) => o.stamps), outcomes.map((o) => o.filled), outcomes.map((o) => o.after.stamps), outcomes.map((o) => o.after.filled)],
  );
}

/** What an earn collected, with each card's terms and the member's progress now. */
export async function stampEventsOf(
  manager: EntityManager,
  transactionId: string,
): Promise<{ cardId: string; partnerId: string; stampsRequired: number; rewardPoints: bigint | null; rewardsOffer: boolean; stamps: number; filled: number; progress: StampProgress }[]> {
  const { rows } = await sql<{
    card_id: string;
    partner_id: string;
    stamps_required: number;
    reward_points: string | null;
    rewards_offer: boolean;
    stamps: number;
    filled: number;
    p_stamps: number;
    p_filled: number;
  }>(
    manager,
    `SELECT e.card_id, c.partner_id, c.stamps_required, c.reward_points::text, c.reward_offer_id IS NOT NULL AS rewards_offer, e.stamps, e.filled, p.stamps AS p_stamps, p.filled AS p_filled
       FROM stamp_events e JOIN stamp_cards c ON c.id = e.card_id JOIN stamp_card_progress p ON p.card_id = e.card_id AND p.member_id = e.member_id
      WHERE e.transaction_id = $1 ORDER BY e.card_id`,
    [transactionId],
  );
  return rows.map((r) => ({
    cardId: r.card_id,
    partnerId: r.partner_id,
    stampsRequired: r.stamps_required,
    rewardPoints: r.reward_points === null ? null : BigInt(r.reward_points),
    rewardsOffer: r.rewards_offer,
    stamps: r.stamps,
    filled: r.filled,
    progress: { stamps: r.p_stamps, filled: r.p_filled },
  }));
}

export async function setProgress(manager: EntityManager, memberId: string, cardId: string, p: StampProgress): Promise<void> {
  await sql(manager, 'UPDATE stamp_card_progress SET stamps = $3, filled = $4 WHERE member_id = $1 AND card_id = $2', [memberId, cardId, p.stamps, p.filled]);
}

/** A member's cards: those in force now at any partner and those the member has stamps on. */
export async function memberStampCards(manager: EntityManager, memberId: string): Promise<(StampCardRow & { progress: StampProgress })[]> {
  const { rows } = await sql<OpenCardJson>(
    manager,
    `SELECT ${CARD_COLUMNS}, coalesce(p.stamps, 0) AS stamps, coalesce(p.filled, 0) AS filled
       FROM stamp_cards c LEFT JOIN stamp_card_progress p ON p.card_id = c.id AND p.member_id = $1
      WHERE p.member_id IS NOT NULL OR (c.starts_at <= now() AND (c.ends_at IS NULL OR c.ends_at > now()))
      ORDER BY c.created_at DESC, c.id LIMIT 200`,
    [memberId],
  );
  return rows.map(fromOpenCardJson);
}
