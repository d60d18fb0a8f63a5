import { type EntityManager } from 'typeorm';
import { entityColumns, hydrateEntities, sql, type AuditEntry as AuditRow } from '../../../../lib/src';
import { nonZeroAwards, type Award } from '../domain/award.rules';
import { type PurchaseLine } from '../domain/basket.rules';
import { type StampOutcome } from '../domain/stamp-card.rules';
import { basketJson } from './baskets.repository';
import { TransactionEntity } from './ledger.entity';

/** The EARN transaction's own columns; its id is chosen by the caller so one statement writes everything. */
export interface EarnTransaction {
  id: string;
  partnerId: string;
  memberId: string;
  reference: string;
  points: bigint;
  purchaseMinor: bigint;
  purchaseCurrency: string;
  earnRate: string;
  basePoints: bigint;
  tierMultiplierMilli: bigint;
  campaignBonus: bigint;
  unitPrice: string;
  priceCurrency: string;
  blockDrawn: boolean;
}

/** One issuer's share of an earn: its account is debited, and the member gets a lot naming it. */
export interface EarnIssuer {
  accountId: string;
  /** The paying partner; null: the coalition's marketing budget. */
  partnerId: string | null;
  points: bigint;
  /** The lot's own price when it differs from the transaction's (the coalition's marketing price). */
  unitPrice: string | null;
  priceCurrency: string | null;
}

export interface EarnWrite {
  transaction: EarnTransaction;
  memberAccountId: string;
  lifetimeMonths: number;
  issuers: EarnIssuer[];
  awards: Award[];
  storeId: string | null;
  lines: readonly PurchaseLine[] | null;
  /** The activations the earn applied, with the points each gave (its OFFER awards). */
  offersUsed: { activationId: string; points: bigint }[];
  stamps: StampOutcome[];
  /** The mutation's audit row (lib's takeAuditRow), written in this statement; null: none. */
  audit: AuditRow | null;
}

/**
 * Everything an earn writes, in one statement (one round trip): the transaction, its postings (each
 * issuer's account to the member), the member's lots (one per issuer), its awards, its basket, the uses of
 * the offers it applied (and which activation gave what), the stamps it collected with the cards' progress
 * and the offer activations of the cards it filled that reward an offer, its points added to the
 * member's qualifying figure for this month, a signal to the referral sweep when the member's referral is
 * still open (migration 1741610000000), and the mutation's audit row. The database still checks every invariant: postings
 * balance and match the transaction's points, awards add up to them (deferred triggers, at commit).
 * Answers the transaction as stored.
 */
export async function writeEarn(manager: EntityManager, w: EarnWrite): Promise<TransactionEntity> {
  const t = w.transaction;
  const awards = nonZeroAwards(w.awards);
  const issuers = w.issuers.filter((i) => i.points !== 0n);
  const a = w.audit;
  const params: unknown[] = [
    t.id, t.partnerId, t.memberId, t.reference, t.points.toString(), t.purchaseMinor.toString(), t.purchaseCurrency, t.earnRate,
    t.basePoints.toString(), t.tierMultiplierMilli.toString(), t.campaignBonus.toString(), t.unitPrice, t.priceCurrency, t.blockDrawn,
    // postings and lots, one per issuer ($15-$19)
    w.memberAccountId, issuers.map((i) => i.accountId), issuers.map((i) => i.points.toString()), issuers.map((i) => i.partnerId), w.lifetimeMonths,
    issuers.map((i) => i.unitPrice), issuers.map((i) => i.priceCurrency),
    // awards ($22-$25)
    awards.map((a) => a.kind), awards.map((a) => a.points.toString()), awards.map((a) => a.fundedBy), awards.map((a) => a.ruleId),
    // basket ($26-$27), offers ($28), stamps ($29-$33)
    w.storeId, basketJson(w.lines), w.offersUsed.map((u) => u.activationId),
    w.stamps.map((s) => s.cardId), w.stamps.map((s) => s.stamps), w.stamps.map((s) => s.filled), w.stamps.map((s) => s.after.stamps), w.stamps.map((s) => s.after.filled),
    // audit ($34-$42; no row when $34 is null)
    a?.requestId ?? null, a?.operation ?? null, a?.targetId ?? null, a?.subject ?? null, a?.partnerId ?? null, a?.memberId ?? null, a?.charityId ?? null,
    a?.idempotencyKey ?? null, a?.outcome ?? null,
    // offer uses' points ($43), offer activations the stamps grant ($44)
    w.offersUsed.map((u) => u.points.toString()), w.stamps.map((s) => s.offerGrants),
  ];
  const { rows } = await sql<Record<string, unknown>>(
    manager,
    `WITH tx AS (
       INSERT INTO transactions (id, kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate,
                                 base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency, block_drawn)
       VALUES ($1, 'EARN', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${entityColumns(manager, TransactionEntity)}),
     issuer AS (SELECT * FROM unnest($16::uuid[], $17::bigint[], $18::uuid[], $20::numeric[], $21::text[]) AS i (account_id, points, partner_id, unit_price, price_currency)),
     posted AS (
       INSERT INTO postings (transaction_id, account_id, amount)
       SELECT $1, account_id, -points FROM issuer
       UNION ALL SELECT $1, $15, sum(points) FROM issuer HAVING sum(points) <> 0),
     lotted AS (
       INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, expires_at, unit_price, price_currency)
       SELECT $15, $1, partner_id, points, points, now() + make_interval(months => $19), unit_price, price_currency FROM issuer WHERE points > 0),
     awarded AS (
       INSERT INTO transaction_awards (transaction_id, position, kind, points, funded_by, rule_id)
       SELECT $1, a.position - 1, a.kind, a.points, a.funded_by, a.rule_id
         FROM unnest($22::text[], $23::bigint[], $24::uuid[], $25::text[]) WITH ORDINALITY AS a (kind, points, funded_by, rule_id, position)),
     basket AS (
       INSERT INTO earn_baskets (transaction_id, partner_id, store_id, lines)
       SELECT $1, $2, $26, $27::jsonb WHERE $26::uuid IS NOT NULL OR $27::jsonb IS NOT NULL),
     offers AS (UPDATE offer_activations SET uses = uses + 1 WHERE id = ANY($28::uuid[])),
     offer_used AS (INSERT INTO offer_uses (transaction_id, activation_id, points) SELECT $1, u.id, u.points FROM unnest($28::uuid[], $43::bigint[]) AS u (id, points)),
     stamp AS (SELECT * FROM unnest($29::uuid[], $30::int[], $31::int[], $32::int[], $33::int[], $44::int[]) AS s (card_id, stamps, filled, after_stamps, after_filled, offer_grants)),
     granted AS (
       INSERT INTO offer_activations (member_id, offer_id, partner_id, kind, multiplier_milli, bonus_points, min_tier, valid_from, valid_to, uses_allowed, granted_by_transaction, stamp_card_id)
       SELECT $3, c.reward_offer_id, c.partner_id, c.reward_offer_kind, c.reward_multiplier_milli, c.reward_bonus_points, c.reward_min_tier, c.reward_valid_from, c.reward_valid_to,
              c.reward_uses, $1, c.id
         FROM stamp JOIN stamp_cards c ON c.id = stamp.card_id CROSS JOIN generate_series(1, stamp.offer_grants)
        WHERE c.reward_offer_id IS NOT NULL),
     stamped AS (INSERT INTO stamp_events (transaction_id, card_id, member_id, stamps, filled) SELECT $1, card_id, $3, stamps, filled FROM stamp),
     progress AS (
       INSERT INTO stamp_card_progress (member_id, card_id, stamps, filled) SELECT $3, card_id, after_stamps, after_filled FROM stamp
       ON CONFLICT (member_id, card_id) DO UPDATE SET stamps = EXCLUDED.stamps, filled = EXCLUDED.filled),
     qualified AS (
       INSERT INTO qualifying_points (member_id, month, points)
       SELECT $3, date_trunc('month', now() AT TIME ZONE 'UTC')::date, $5::bigint WHERE $5::bigint > 0
       ON CONFLICT (member_id, month) DO UPDATE SET points = qualifying_points.points + EXCLUDED.points),
     referral AS (
       INSERT INTO referral_checks (member_id)
       SELECT member_id FROM member_registrations WHERE member_id = $3 AND referred_by IS NOT NULL AND referral_settled_at IS NULL AND $5::bigint > 0),
     audited AS (
       INSERT INTO audit_log (request_id, operation, target_id, subject, partner_id, member_id, charity_id, idempotency_key, outcome)
       SELECT $34, $35, $36, $37, $38, $39, $40, $41, $42 WHERE $34::text IS NOT NULL)
     SELECT * FROM tx`,
    params,
  );
  return hydrateEntities(manager, TransactionEntity, rows)[0];
}
