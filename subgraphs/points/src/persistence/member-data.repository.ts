import { type MemberDataSection, type MemberErasureStatement } from '../../../../lib/src/persistence/member-data.repository';

const MEMBER_ACCOUNT = `SELECT id FROM accounts WHERE kind = 'MEMBER' AND owner_id = $1`;

/**
 * Everything the points subgraph holds about one member, table by table, for the member's data export
 * (the audit log and idempotency keys are added by lib's MemberDataExport): the account, every posting on
 * it and every transaction naming the member (with its partner id), lots and what drew on them, holds,
 * redemption codes (never their hash), wrong-code counts, clawbacks, donation postings, pledge events and
 * the reasons each earn gave its points. A new table about members is one more line here.
 */
export const POINTS_MEMBER_DATA_SECTIONS: readonly MemberDataSection[] = [
  { name: 'account', sql: `SELECT * FROM accounts WHERE kind = 'MEMBER' AND owner_id = $1` },
  { name: 'transactions', sql: 'SELECT * FROM transactions WHERE member_id = $1 ORDER BY created_at, id' },
  { name: 'postings', sql: `SELECT * FROM postings WHERE account_id IN (${MEMBER_ACCOUNT}) ORDER BY id` },
  { name: 'transaction_awards', sql: 'SELECT * FROM transaction_awards WHERE transaction_id IN (SELECT id FROM transactions WHERE member_id = $1) ORDER BY transaction_id, position' },
  { name: 'lots', sql: `SELECT * FROM lots WHERE account_id IN (${MEMBER_ACCOUNT}) ORDER BY earned_at, id` },
  { name: 'lot_movements', sql: `SELECT * FROM lot_movements WHERE lot_id IN (SELECT id FROM lots WHERE account_id IN (${MEMBER_ACCOUNT})) ORDER BY id` },
  { name: 'holds', sql: 'SELECT * FROM holds WHERE member_id = $1 ORDER BY created_at, id' },
  {
    name: 'redemption_codes',
    sql: 'SELECT id, member_id, max_points, created_at, expires_at, used_at, voided_at FROM redemption_codes WHERE member_id = $1 ORDER BY created_at, id',
  },
  { name: 'redemption_code_failures', sql: 'SELECT * FROM redemption_code_failures WHERE member_id = $1 ORDER BY id' },
  { name: 'clawbacks', sql: `SELECT * FROM clawbacks WHERE account_id IN (${MEMBER_ACCOUNT}) ORDER BY created_at, id` },
  { name: 'donation_postings', sql: 'SELECT * FROM donation_postings WHERE member_id = $1 ORDER BY created_at, donation_id' },
  { name: 'event_outbox', sql: 'SELECT * FROM event_outbox WHERE member_id = $1 ORDER BY id' },
  { name: 'member_notices', sql: 'SELECT * FROM member_notices WHERE member_id = $1 ORDER BY id' },
  { name: 'offer_activations', sql: 'SELECT * FROM offer_activations WHERE member_id = $1 ORDER BY member_id, offer_id' },
  { name: 'offer_uses', sql: 'SELECT u.* FROM offer_uses u JOIN offer_activations a ON a.id = u.activation_id WHERE a.member_id = $1 ORDER BY u.transaction_id, u.activation_id' },
  { name: 'offer_redemptions', sql: 'SELECT * FROM offer_redemptions WHERE member_id = $1 ORDER BY created_at, transaction_id' },
  { name: 'stamp_card_progress', sql: 'SELECT * FROM stamp_card_progress WHERE member_id = $1 ORDER BY card_id' },
  { name: 'stamp_events', sql: 'SELECT * FROM stamp_events WHERE member_id = $1 ORDER BY transaction_id, card_id' },
  { name: 'qualifying_points', sql: 'SELECT * FROM qualifying_points WHERE member_id = $1 ORDER BY month' },
  { name: 'cashouts', sql: 'SELECT * FROM cashouts WHERE member_id = $1 ORDER BY created_at, id' },
  { name: 'member_registrations', sql: 'SELECT * FROM member_registrations WHERE member_id = $1' },
  { name: 'welcome_bonuses', sql: 'SELECT * FROM welcome_bonuses WHERE member_id = $1' },
  { name: 'referral_bonuses', sql: 'SELECT * FROM referral_bonuses WHERE friend_id = $1 OR referrer_id = $1 ORDER BY created_at' },
  { name: 'birthday_bonuses', sql: 'SELECT * FROM birthday_bonuses WHERE member_id = $1 ORDER BY year' },
  { name: 'member_closings', sql: 'SELECT * FROM member_closings WHERE member_id = $1 OR target_member_id = $1' },
  { name: 'memberships', sql: 'SELECT * FROM memberships WHERE member_id = $1' },
  { name: 'membership_purchases', sql: 'SELECT * FROM membership_purchases WHERE member_id = $1 ORDER BY created_at, id' },
  { name: 'membership_bonuses', sql: 'SELECT b.* FROM membership_bonuses b JOIN memberships m ON m.id = b.membership_id WHERE m.member_id = $1 ORDER BY b.month_start' },
  { name: 'game_plays', sql: 'SELECT * FROM game_plays WHERE member_id = $1 ORDER BY created_at, id' },
  // The next play's server seed stays secret until played: its hash and nonce only.
  { name: 'game_seeds', sql: 'SELECT game_id, member_id, server_seed_hash, nonce, committed_at FROM game_seeds WHERE member_id = $1 ORDER BY game_id' },
  { name: 'household_members', sql: 'SELECT * FROM household_members WHERE member_id = $1' },
  { name: 'household_invitations', sql: 'SELECT * FROM household_invitations WHERE inviter_id = $1 OR invitee_id = $1 ORDER BY created_at, id' },
  { name: 'household_transfers', sql: 'SELECT * FROM household_transfers WHERE sender_id = $1 OR recipient_id = $1 ORDER BY created_at, id' },
  { name: 'tier_status', sql: 'SELECT * FROM tier_status WHERE member_id = $1' },
  { name: 'tier_overrides', sql: 'SELECT * FROM tier_overrides WHERE member_id = $1 ORDER BY created_at' },
  { name: 'ambassadors', sql: 'SELECT * FROM ambassadors WHERE member_id = $1' },
];

/**
 * The ledger's own part of an erasure. Its rows name the member by id only, and the amounts must stay for
 * bookkeeping; the one exception is a cashout, which names the member's bank account and the account holder:
 * on settled cashouts both are replaced (erase_member_cashouts, migration 1739610000000), and a payout still
 * in flight makes the step fail, so the erasure waits for it. The remaining points are forfeited by the
 * ledger's `closeMemberAccount` (FORFEIT, with the erasure id as closing id) before this step, and lib's
 * MemberDataErasure replaces the person's token subjects in the audit log and forgets their idempotency keys.
 */
export const POINTS_MEMBER_ERASURE_STATEMENTS: readonly MemberErasureStatement[] = [
  { name: 'cashouts', sql: 'SELECT erase_member_cashouts($1, $2)' },
  // What the members subgraph registered (birthday, city of the enrolling store, consents); the bonuses already paid stay.
  { name: 'member_registrations', sql: 'UPDATE member_registrations SET birth_month = NULL, birth_day = NULL, enrolled_city = NULL, marketing_consent = false, partner_data_sharing = false, updated_at = now() WHERE member_id = $1' },
  // The erased member leaves their household (its name with it); the name on invitations they sent goes too.
  // (A household left with one member is dissolved, as when a member leaves: the snapshot still counts the erased member.)
  {
    name: 'household_members',
    sql: `WITH gone AS (DELETE FROM household_members WHERE member_id = $1 RETURNING household_id),
          alone AS (SELECT m.household_id FROM household_members m JOIN gone g ON g.household_id = m.household_id GROUP BY 1 HAVING count(*) < 3),
          rest AS (DELETE FROM household_members m USING alone a WHERE m.household_id = a.household_id AND m.member_id <> $1)
          UPDATE households SET dissolved_at = now() WHERE id IN (SELECT household_id FROM alone)`,
  },
  { name: 'household_invitations', sql: "UPDATE household_invitations SET inviter_name = '', status = CASE WHEN status = 'PENDING' THEN 'CANCELLED' ELSE status END, answered_at = coalesce(answered_at, now()) WHERE inviter_id = $1 OR (invitee_id = $1 AND status = 'PENDING')" },
];
