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
 * Everything the given earns write, in one statement (one round trip, one executor start-up, whatever their
 * number): each earn's transaction, its postings (each issuer's account to the member), the member's lots
 * (one per issuer), its awards, its basket, the uses of the offers it applied (and which activation gave
 * what), the stamps it collected with the cards' progress and the offer activations of the cards it filled
 * that reward an offer, its points added to the member's qualifying figure for this month, a signal to the
 * referral sweep when the member's referral is still open (migration 1741610000000), and the mutation's
 * audit row. The earns must be of different members (a batch decides each on one snapshot; see
 * PointsService.earnBatch): their qualifying and stamp card rows are upserted once each. The database still checks
 * every invariant: postings balance and match the transaction's points, awards add up to them (deferred
 * triggers, at commit). Answers the transactions as stored, in the order given.
 */
export async function writeEarns(manager: EntityManager, writes: readonly EarnWrite[]): Promise<TransactionEntity[]> {
  // One row per earn (column e.n, from 1), and the earns' lists flattened with the earn's n beside each item.
  const issuers = writes.flatMap((w, i) => w.issuers.filter((x) => x.points !== 0n).map((x) => ({ n: i + 1, ...x })));
  const awards = writes.flatMap((w, i) => nonZeroAwards(w.awards).map((a, position) => ({ n: i + 1, position, ...a })));
  const offers = writes.flatMap((w, i) => w.offersUsed.map((u) => ({ n: i + 1, ...u })));
  const stamps = writes.flatMap((w, i) => w.stamps.map((s) => ({ n: i + 1, ...s })));
  const t = writes.map((w) => w.transaction);
  const audit = writes.map((w) => w.audit);
  const params: unknown[] = [
    // the earns ($1-$17), their audit rows ($18-$26; none where the request id is null)
    t.map((x) => x.id), t.map((x) => x.partnerId), t.map((x) => x.memberId), t.map((x) => x.reference), t.map((x) => x.points.toString()),
    t.map((x) => x.purchaseMinor.toString()), t.map((x) => x.purchaseCurrency), t.map((x) => x.earnRate), t.map((x) => x.basePoints.toString()),
    t.map((x) => x.tierMultiplierMilli.toString()), t.map((x) => x.campaignBonus.toString()), t.map((x) => x.unitPrice), t.map((x) => x.priceCurrency),
    t.map((x) => x.blockDrawn), writes.map((w) => w.memberAccountId), writes.map((w) => w.storeId), writes.map((w) => basketJson(w.lines)),
    audit.map((a) => a?.requestId ?? null), audit.map((a) => a?.operation ?? null), audit.map((a) => a?.targetId ?? null), audit.map((a) => a?.subject ?? null),
    audit.map((a) => a?.partnerId ?? null), audit.map((a) => a?.memberId ?? null), audit.map((a) => a?.charityId ?? null), audit.map((a) => a?.idempotencyKey ?? null),
    audit.map((a) => a?.outcome ?? null),
    // issuers ($27-$32), awards ($33-$38), offer uses ($39-$41), stamps ($42-$48), the lots' lifetime ($49)
    issuers.map((x) => x.n), issuers.map((x) => x.accountId), issuers.map((x) => x.points.toString()), issuers.map((x) => x.partnerId),
    issuers.map((x) => x.unitPrice), issuers.map((x) => x.priceCurrency),
    awards.map((a) => a.n), awards.map((a) => a.position), awards.map((a) => a.kind), awards.map((a) => a.points.toString()), awards.map((a) => a.fundedBy),
    awards.map((a) => a.ruleId),
    offers.map((u) => u.n), offers.map((u) => u.activationId), offers.map((u) => u.points.toString()),
    stamps.map((s) => s.n), stamps.map((s) => s.cardId), stamps.map((s) => s.stamps), stamps.map((s) => s.filled), stamps.map((s) => s.after.stamps),
    stamps.map((s) => s.after.filled), stamps.map((s) => s.offerGrants),
    writes[0]?.lifetimeMonths ?? 0,
  ];
  if (writes.some((w) => w.lifetimeMonths !== writes[0].lifetimeMonths)) throw new Error('earns written together share one lot lifetime');
  const { rows } = await sql<Record<string, unknown>>(
    manager,
    `WITH e AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::numeric[], $9::bigint[], $10::integer[],
                            $11::bigint[], $12::numeric[], $13::text[], $14::boolean[], $15::uuid[], $16::uuid[], $17::jsonb[],
                            $18::text[], $19::text[], $20::uuid[], $21::text[], $22::uuid[], $23::uuid[], $24::uuid[], $25::text[], $26::text[])
         WITH ORDINALITY AS e (id, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, base_points, tier_multiplier_milli,
                               campaign_bonus, unit_price, price_currency, block_drawn, member_account, store_id, lines,
                               request_id, operation, target_id, subject, audit_partner_id, audit_member_id, charity_id, idempotency_key, outcome, n)),
     tx AS (
       INSERT INTO transactions (id, kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate,
                                 base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency, block_drawn)
       SELECT id, 'EARN', partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate,
              base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency, block_drawn FROM e ORDER BY n
       RETURNING ${entityColumns(manager, TransactionEntity)}),
     issuer AS (
       SELECT e.id AS transaction_id, e.member_account, i.account_id, i.points, i.partner_id, i.unit_price, i.price_currency
         FROM unnest($27::bigint[], $28::uuid[], $29::bigint[], $30::uuid[], $31::numeric[], $32::text[]) AS i (n, account_id, points, partner_id, unit_price, price_currency)
         JOIN e ON e.n = i.n),
     posted AS (
       INSERT INTO postings (transaction_id, account_id, amount)
       SELECT transaction_id, account_id, -points FROM issuer
       UNION ALL SELECT transaction_id, member_account, sum(points) FROM issuer GROUP BY transaction_id, member_account HAVING sum(points) <> 0),
     lotted AS (
       INSERT INTO lots (account_id, transaction_id, partner_id, points, remaining, expires_at, unit_price, price_currency)
       SELECT member_account, transaction_id, partner_id, points, points, now() + make_interval(months => $49), unit_price, price_currency FROM issuer WHERE points > 0),
     awarded AS (
       INSERT INTO transaction_awards (transaction_id, position, kind, points, funded_by, rule_id)
       SELECT e.id, a.position, a.kind, a.points, a.funded_by, a.rule_id
         FROM unnest($33::bigint[], $34::integer[], $35::text[], $36::bigint[], $37::uuid[], $38::text[]) AS a (n, position, kind, points, funded_by, rule_id)
         JOIN e ON e.n = a.n),
     basket AS (
       INSERT INTO earn_baskets (transaction_id, partner_id, store_id, lines)
       SELECT id, partner_id, store_id, lines FROM e WHERE store_id IS NOT NULL OR lines IS NOT NULL),
     offer_use AS (SELECT e.id AS transaction_id, u.activation_id, u.points FROM unnest($39::bigint[], $40::uuid[], $41::bigint[]) AS u (n, activation_id, points) JOIN e ON e.n = u.n),
     -- Each use counts (uses_check refuses an activation used past its allowance, whichever earns used it).
     offers AS (
       UPDATE offer_activations a SET uses = a.uses + u.n
         FROM (SELECT activation_id, count(*) AS n FROM offer_use GROUP BY activation_id) u WHERE a.id = u.activation_id),
     offer_used AS (INSERT INTO offer_uses (transaction_id, activation_id, points) SELECT transaction_id, activation_id, points FROM offer_use),
     stamp AS (
       SELECT e.id AS transaction_id, e.member_id, s.card_id, s.stamps, s.filled, s.after_stamps, s.after_filled, s.offer_grants
         FROM unnest($42::bigint[], $43::uuid[], $44::int[], $45::int[], $46::int[], $47::int[], $48::int[]) AS s (n, card_id, stamps, filled, after_stamps, after_filled, offer_grants)
         JOIN e ON e.n = s.n),
     granted AS (
       INSERT INTO offer_activations (member_id, offer_id, partner_id, kind, multiplier_milli, bonus_points, min_tier, valid_from, valid_to, uses_allowed, granted_by_transaction, stamp_card_id)
       SELECT stamp.member_id, c.reward_offer_id, c.partner_id, c.reward_offer_kind, c.reward_multiplier_milli, c.reward_bonus_points, c.reward_min_tier, c.reward_valid_from, c.reward_valid_to,
              c.reward_uses, stamp.transaction_id, c.id
         FROM stamp JOIN stamp_cards c ON c.id = stamp.card_id CROSS JOIN generate_series(1, stamp.offer_grants)
        WHERE c.reward_offer_id IS NOT NULL),
     stamped AS (INSERT INTO stamp_events (transaction_id, card_id, member_id, stamps, filled) SELECT transaction_id, card_id, member_id, stamps, filled FROM stamp),
     progress AS (
       INSERT INTO stamp_card_progress (member_id, card_id, stamps, filled) SELECT member_id, card_id, after_stamps, after_filled FROM stamp
       ON CONFLICT (member_id, card_id) DO UPDATE SET stamps = EXCLUDED.stamps, filled = EXCLUDED.filled),
     qualified AS (
       INSERT INTO qualifying_points (member_id, month, points)
       SELECT member_id, date_trunc('month', now() AT TIME ZONE 'UTC')::date, points FROM e WHERE points > 0
       ON CONFLICT (member_id, month) DO UPDATE SET points = qualifying_points.points + EXCLUDED.points),
     referral AS (
       INSERT INTO referral_checks (member_id)
       SELECT r.member_id FROM member_registrations r JOIN e ON e.member_id = r.member_id
        WHERE r.referred_by IS NOT NULL AND r.referral_settled_at IS NULL AND e.points > 0),
     audited AS (
       INSERT INTO audit_log (request_id, operation, target_id, subject, partner_id, member_id, charity_id, idempotency_key, outcome)
       SELECT request_id, operation, target_id, subject, audit_partner_id, audit_member_id, charity_id, idempotency_key, outcome FROM e
        WHERE request_id IS NOT NULL ORDER BY n)
     SELECT * FROM tx`,
    params,
  );
  const written = new Map(hydrateEntities(manager, TransactionEntity, rows).map((r) => [r.id, r]));
  return t.map((x) => written.get(x.id) as TransactionEntity);
}
