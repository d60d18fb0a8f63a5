import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Provably fair games (issue 18, README "Games").
 * - games: a game, sponsored by a partner (sponsor_partner_id) or the coalition (null), with its published
 *   chance of winning (win_chance, and win_threshold = ceil(win_chance × 2^52), what a draw's first 52 bits
 *   are compared with), its prize table (prizes: [{points, weight}], never changed), a budget in points
 *   (remaining_points never below zero), a per-member daily play limit, an optional window and an optional
 *   cost per play. The prices it pays and honours with are snapshotted at creation (prize_unit_price: the
 *   sponsor's issue price or the marketing price; cost_unit_price: the sponsor's reimbursement), since plays
 *   are made by members, who cannot read a partner's terms. `plays`, `wins` and `paid_points` are counted by
 *   the very UPDATE that admits a play, which only succeeds while remaining_points >= max_prize_points (so
 *   every admitted play can pay whatever it draws).
 * - game_seeds: the commitment for a member's next play of a game: the server seed (secret until played),
 *   its SHA-256 (shown to the member before they choose a client seed) and the nonce. Replaced after each play.
 * - game_plays: each play, append-only: the seeds revealed, the nonce, the outcome, the prize's BONUS
 *   transaction (award GAME) and the cost's REDEEM transaction.
 */
export class Games1741200000000 implements MigrationInterface {
  name = 'Games1741200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE games (
        id                      uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
        name                    text          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        sponsor_partner_id      uuid,
        win_chance              numeric(7,6)  NOT NULL CHECK (win_chance >= 0.25 AND win_chance <= 1),
        win_threshold           bigint        NOT NULL CHECK (win_threshold > 0 AND win_threshold <= 4503599627370496),
        prizes                  jsonb         NOT NULL CHECK (jsonb_typeof(prizes) = 'array' AND jsonb_array_length(prizes) >= 1),
        max_prize_points        bigint        NOT NULL CHECK (max_prize_points > 0),
        budget_points           bigint        NOT NULL CHECK (budget_points >= max_prize_points),
        remaining_points        bigint        NOT NULL CHECK (remaining_points >= 0 AND remaining_points <= budget_points),
        paid_points             bigint        NOT NULL DEFAULT 0 CHECK (paid_points >= 0),
        plays_per_member_per_day integer      NOT NULL CHECK (plays_per_member_per_day >= 1),
        cost_points             bigint        NOT NULL DEFAULT 0 CHECK (cost_points >= 0),
        starts_at               timestamptz,
        ends_at                 timestamptz,
        prize_unit_price        numeric(20,6) NOT NULL CHECK (prize_unit_price >= 0),
        cost_unit_price         numeric(20,6) CHECK (cost_unit_price >= 0),
        price_currency          text          NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
        plays                   bigint        NOT NULL DEFAULT 0 CHECK (plays >= 0),
        wins                    bigint        NOT NULL DEFAULT 0 CHECK (wins >= 0 AND wins <= plays),
        created_by              text          NOT NULL,
        created_at              timestamptz   NOT NULL DEFAULT now(),
        CONSTRAINT games_budget_check CHECK (paid_points + remaining_points = budget_points),
        CONSTRAINT games_window_check CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at),
        CONSTRAINT games_cost_check CHECK (cost_points = 0 OR (sponsor_partner_id IS NOT NULL AND cost_unit_price IS NOT NULL))
      );
      CREATE INDEX games_sponsor_idx ON games (sponsor_partner_id, created_at);

      CREATE TABLE game_seeds (
        game_id          uuid        NOT NULL REFERENCES games (id),
        member_id        uuid        NOT NULL,
        server_seed      text        NOT NULL CHECK (server_seed ~ '^[0-9a-f]{64}$'),
        server_seed_hash text        NOT NULL CHECK (server_seed_hash ~ '^[0-9a-f]{64}$'),
        nonce            integer     NOT NULL CHECK (nonce >= 0),
        committed_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (game_id, member_id)
      );

      CREATE TABLE game_plays (
        id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        game_id              uuid        NOT NULL REFERENCES games (id),
        member_id            uuid        NOT NULL,
        nonce                integer     NOT NULL CHECK (nonce >= 0),
        client_seed          text        NOT NULL CHECK (client_seed ~ '^[A-Za-z0-9._~-]{1,64}$'),
        server_seed          text        NOT NULL CHECK (server_seed ~ '^[0-9a-f]{64}$'),
        server_seed_hash     text        NOT NULL CHECK (server_seed_hash ~ '^[0-9a-f]{64}$'),
        committed_at         timestamptz NOT NULL,
        won                  boolean     NOT NULL,
        prize_index          integer     CHECK (prize_index >= 0),
        points               bigint      NOT NULL CHECK (points >= 0),
        cost_points          bigint      NOT NULL CHECK (cost_points >= 0),
        prize_transaction_id uuid        UNIQUE REFERENCES transactions (id),
        cost_transaction_id  uuid        UNIQUE REFERENCES transactions (id),
        created_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT game_plays_nonce_key UNIQUE (game_id, member_id, nonce),
        CONSTRAINT game_plays_outcome_check CHECK (won = (points > 0) AND won = (prize_index IS NOT NULL) AND won = (prize_transaction_id IS NOT NULL)),
        CONSTRAINT game_plays_cost_check CHECK ((cost_points > 0) = (cost_transaction_id IS NOT NULL))
      );
      CREATE INDEX game_plays_member_idx ON game_plays (member_id, game_id, created_at);
      CREATE TRIGGER game_plays_append_only BEFORE UPDATE OR DELETE ON game_plays FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER game_plays_no_truncate BEFORE TRUNCATE ON game_plays FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE game_plays; DROP TABLE game_seeds; DROP TABLE games;`);
  }
}
