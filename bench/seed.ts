import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { dammCheckDigit } from '../subgraphs/members/src/domain/card-number';

/**
 * The benchmark's data set, written in bulk straight into the subgraphs' own tables, through the same
 * constraints and triggers the services write through (card check digits, balanced postings, balances
 * kept by the posting trigger, lots): a million postings take minutes through the API's rate, seconds here.
 * Partners and charities are few and are created through the API instead (they carry terms and accounts).
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MEMBER_BATCH = 5_000;
const HISTORY_BATCH = 1_000;
/** The issue price snapshot every seeded earn carries (NOK per point; the ledger requires one on earns). */
const SEED_PRICE = '0.01';

export interface SeededMember {
  id: string;
  cardNumber: string;
}

/** Member number n's card: a leading 8 (a range the API never issues), n in 14 digits, the Damm digit. */
function cardNumber(n: number): string {
  const body = `8${String(n).padStart(14, '0')}`;
  return body + String(dammCheckDigit(body));
}

/** Member number n's referral code: a leading Z, n in seven Crockford base-32 digits. */
function referralCode(n: number): string {
  let code = '';
  for (let v = n, i = 0; i < 7; i++, v = Math.floor(v / 32)) code = CROCKFORD[v % 32] + code;
  return `Z${code}`;
}

/**
 * Grows the membership from `members.length` to `target` members, each enrolled at one of the partners
 * (round robin) with `earnsPerMember` earns there spread over the last twelve months: two postings and
 * one lot each, and its BASE award as the earn path writes one (so that the awards table, its statistics and
 * the commit-time awards check look as on a running hub). Appends the new members to `members`; returns the postings written.
 */
export async function growMembers(db: Pool, members: SeededMember[], target: number, partnerIds: string[], earnsPerMember: number): Promise<number> {
  let postings = 0;
  const issued = await db.query<{ id: string; owner_id: string }>(`SELECT id, owner_id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = ANY($1)`, [partnerIds]);
  const issuedAccounts = new Map(issued.rows.map((r) => [r.owner_id, r.id]));
  while (members.length < target) {
    const from = members.length;
    const batch: SeededMember[] = [];
    // Batches grow with the tables (100, 100, 200, 400 … 5,000 members), each followed by ANALYZE: the
    // ledger's commit-time triggers plan their lookups from the statistics, and a plan made while the
    // tables looked empty scans them whole for every row (quadratic). Doubling keeps them indexed.
    const size = Math.min(MEMBER_BATCH, Math.max(100, from));
    for (let n = from; n < Math.min(target, from + size); n++) batch.push({ id: randomUUID(), cardNumber: cardNumber(n) });
    const ids = batch.map((m) => m.id);
    const partnerOf = batch.map((_, i) => partnerIds[(from + i) % partnerIds.length]);
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO members.members (id, display_name, email, email_normalized, card_number, referral_code, enrolled_by_partner_id, enrolled_at)
         SELECT m.id, 'Bench member ' || m.n, 'bench-' || m.n || '@example.com', 'bench-' || m.n || '@example.com', m.card, m.referral, m.partner,
                now() - interval '400 days' * random()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[]) AS m(id, n, card, referral, partner)`,
        [ids, batch.map((_, i) => from + i), batch.map((m) => m.cardNumber), batch.map((_, i) => referralCode(from + i)), partnerOf],
      );
      // Account ids go in as arrays rather than joined back: within this transaction the planner's
      // statistics still think the accounts table is tiny, and a join would scan it once per row.
      const accounts = await client.query<{ id: string; owner_id: string }>(
        `INSERT INTO points.accounts (kind, owner_id, maintained) SELECT 'MEMBER', id, true FROM unnest($1::uuid[]) AS id RETURNING id, owner_id`,
        [ids],
      );
      const accountOf = new Map(accounts.rows.map((r) => [r.owner_id, r.id]));
      if (earnsPerMember > 0) {
        const { rowCount } = await client.query(
          `WITH src AS MATERIALIZED (
             SELECT gen_random_uuid() AS tx_id, m.account_id, m.member_id, m.partner_id, m.issued_id,
                    1 + floor(random() * 200)::bigint AS points, now() - interval '360 days' * random() AS at, g
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) AS m(member_id, account_id, partner_id, issued_id)
              CROSS JOIN generate_series(1, $5::int) g
           ), tx AS (
             INSERT INTO points.transactions (id, kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency,
                                              earn_rate, base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency, created_at)
             SELECT tx_id, 'EARN', partner_id, member_id, 'seed-' || g, points, points * 100, 'NOK', 1, points, 1000, 0, ${SEED_PRICE}, 'NOK', at FROM src
           ), lots AS (
             INSERT INTO points.lots (account_id, transaction_id, partner_id, points, remaining, earned_at, expires_at)
             SELECT account_id, tx_id, partner_id, points, points, at, at + interval '24 months' FROM src
           ), awards AS (
             INSERT INTO points.transaction_awards (transaction_id, position, kind, points, funded_by)
             SELECT tx_id, 0, 'BASE', points, partner_id FROM src
           )
           INSERT INTO points.postings (transaction_id, account_id, amount, created_at)
           SELECT tx_id, account_id, points, at FROM src UNION ALL SELECT tx_id, issued_id, -points, at FROM src`,
          [ids, ids.map((id) => accountOf.get(id)), partnerOf, partnerOf.map((p) => issuedAccounts.get(p)), earnsPerMember],
        );
        postings += rowCount ?? 0;
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    members.push(...batch);
    await db.query('ANALYZE members.members, points.accounts, points.transactions, points.postings, points.lots, points.transaction_awards');
  }
  return postings;
}

/**
 * Gives one member a long history: `earns` earns of one point at one partner. Batches of 1,000 earns per
 * database transaction: one transaction updating the member's balance row 100,000 times would walk an
 * ever longer chain of row versions (quadratic); short batches keep it linear.
 */
export async function growHistory(db: Pool, memberId: string, partnerId: string, earns: number): Promise<number> {
  let postings = 0;
  for (let written = 0; written < earns; written += HISTORY_BATCH) {
    const { rowCount } = await db.query(
      `WITH accts AS (
         SELECT (SELECT id FROM points.accounts WHERE kind = 'MEMBER' AND owner_id = $1) AS member_account,
                (SELECT id FROM points.accounts WHERE kind = 'PARTNER_ISSUED' AND owner_id = $2) AS issued_account
       ), tx AS (
         INSERT INTO points.transactions (kind, partner_id, member_id, reference, points, purchase_minor, purchase_currency, earn_rate, base_points, tier_multiplier_milli, campaign_bonus, unit_price, price_currency)
         SELECT 'EARN', $2, $1, 'bulk-' || ($4::int + g), 1, 100, 'NOK', 1, 1, 1000, 0, ${SEED_PRICE}, 'NOK' FROM generate_series(1, $3::int) g RETURNING id
       ), lots AS (
         INSERT INTO points.lots (account_id, transaction_id, partner_id, points, remaining, expires_at)
         SELECT accts.member_account, tx.id, $2, 1, 1, now() + interval '24 months' FROM tx, accts
       ), awards AS (
         INSERT INTO points.transaction_awards (transaction_id, position, kind, points, funded_by) SELECT tx.id, 0, 'BASE', 1, $2 FROM tx
       )
       INSERT INTO points.postings (transaction_id, account_id, amount)
       SELECT tx.id, accts.member_account, 1 FROM tx, accts
       UNION ALL SELECT tx.id, accts.issued_account, -1 FROM tx, accts`,
      [memberId, partnerId, Math.min(HISTORY_BATCH, earns - written), written],
    );
    postings += rowCount ?? 0;
  }
  return postings;
}

/**
 * The bulk-written earns went through the ledger's triggers, so each left an event in the event outbox.
 * They are history from before the benchmark (no partner pledged anything then): count them as relayed,
 * and vacuum, so that the measurements do not include the relay working through hundreds of thousands
 * of old events in the background, which no running hub would have queued up.
 */
export async function settleSeededOutbox(db: Pool): Promise<void> {
  // The outbox is event_outbox now (earn_outbox is a view of its pledge rows): both its consumers, the
  // pledge relay (delivered_at) and the webhook fan-out (fanned_out_at), count the seed as done.
  await db.query(
    `UPDATE points.event_outbox SET delivered_at = CASE WHEN kind IS NOT NULL THEN coalesce(delivered_at, now()) END, fanned_out_at = coalesce(fanned_out_at, now())
      WHERE (delivered_at IS NULL AND kind IS NOT NULL) OR fanned_out_at IS NULL`,
  );
  await db.query('VACUUM (ANALYZE) points.event_outbox');
}
