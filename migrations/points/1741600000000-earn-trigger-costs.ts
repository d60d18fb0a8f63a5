import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the database does for every earn, made cheaper without checking less (issue 17, "an earn that stays fast").
 * Measured first with the earn's own statements under pgbench and `perf` on the server (README "Earn speed"):
 * - ledger_tier_for and ledger_retained_threshold were SQL functions. Called from PL/pgSQL (the tier trigger,
 *   at every earn), a SQL function's body is parsed, analysed and planned again in every database
 *   transaction (its cache lives in the expression state, which PL/pgSQL builds anew per transaction): about
 *   a tenth of the server's CPU per earn. As PL/pgSQL they keep their plan for the session. Same answers.
 * - qualifying_tier_notice (the earn's qualifying points changing the tier kept) read the tiers table four
 *   to six times per earn (an EXISTS, two tier lookups, the tier reached, the tier retained). It now reads the
 *   thresholds and names once, in one statement, and decides from those arrays (ledger_threshold_rank): two
 *   statements per earn instead of up to seven. The rules are those of 1741310000000, unchanged.
 * - ledger_check_member_points (a transaction's points equal what it moves on member accounts, at commit)
 *   joined postings to accounts with the account's kind as a filter, so the planner could start from the
 *   accounts: with few members in the statistics it scanned every member account and their postings (seen:
 *   2.6 ms per earn on 20 members; the same plan on a large coalition reads every member). It now starts from
 *   the transaction's own postings and looks each account's kind up by its key: constant time whatever the
 *   statistics say.
 */
export class EarnTriggerCosts1741600000000 implements MigrationInterface {
  name = 'EarnTriggerCosts1741600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ledger_threshold_rank(thresholds bigint[], points bigint) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
      -- The position (1-based, thresholds ascending) of the highest threshold at or below points; 0 for none.
      DECLARE i integer := coalesce(array_length(thresholds, 1), 0);
      BEGIN
        WHILE i > 0 AND thresholds[i] > points LOOP
          i := i - 1;
        END LOOP;
        RETURN i;
      END $$;

      CREATE OR REPLACE FUNCTION ledger_tier_for(qualifying bigint) RETURNS text LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
      BEGIN
        RETURN (SELECT name FROM tiers WHERE threshold <= qualifying ORDER BY threshold DESC LIMIT 1);
      END $$;

      CREATE OR REPLACE FUNCTION ledger_retained_threshold(held bigint, until timestamptz) RETURNS bigint LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
      BEGIN
        RETURN (
          WITH ranked AS (SELECT threshold, row_number() OVER (ORDER BY threshold) AS r FROM tiers),
               h AS (SELECT r FROM ranked WHERE threshold <= held ORDER BY threshold DESC LIMIT 1)
          SELECT ranked.threshold FROM ranked, h
           WHERE ranked.r = h.r - CASE WHEN until > now() THEN 0
                                       ELSE (extract(year FROM now() AT TIME ZONE 'UTC') - extract(year FROM until AT TIME ZONE 'UTC'))::int + 1 END);
      END $$;

      CREATE OR REPLACE FUNCTION qualifying_tier_notice() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        delta bigint := NEW.points - CASE WHEN TG_OP = 'UPDATE' THEN OLD.points ELSE 0 END;
        since date := (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date;
        thresholds bigint[];
        names text[];
        after_q bigint;
        reached bigint;
        kept bigint;
        held tier_status%ROWTYPE;
        has_row boolean;
        next_end timestamptz := (date_trunc('year', now() AT TIME ZONE 'UTC') + interval '2 years') AT TIME ZONE 'UTC';
        tier_before text;
        tier_after text;
        kept_rank integer;
      BEGIN
        IF delta = 0 OR NEW.month <= since THEN
          RETURN NULL;
        END IF;
        SELECT array_agg(threshold ORDER BY threshold), array_agg(name ORDER BY threshold) INTO thresholds, names FROM tiers;
        IF thresholds IS NULL THEN
          RETURN NULL;
        END IF;
        SELECT coalesce(sum(points), 0) INTO after_q FROM qualifying_points WHERE member_id = NEW.member_id AND month > since;
        SELECT * INTO held FROM tier_status WHERE member_id = NEW.member_id;
        has_row := FOUND;
        IF has_row THEN
          -- ledger_retained_threshold, from the arrays: one level down per calendar year after the end.
          kept_rank := ledger_threshold_rank(thresholds, held.held_threshold)
                  - CASE WHEN held.retained_until > now() THEN 0
                         ELSE (extract(year FROM now() AT TIME ZONE 'UTC') - extract(year FROM held.retained_until AT TIME ZONE 'UTC'))::int + 1 END;
          kept := CASE WHEN kept_rank >= 1 THEN thresholds[kept_rank] END;
        END IF;
        tier_before := names[ledger_threshold_rank(thresholds, greatest(after_q - delta, coalesce(kept, 0)))];
        -- Reaching (or passing) the tier kept now keeps the reached tier until the end of next year.
        reached := thresholds[ledger_threshold_rank(thresholds, after_q)];
        IF delta > 0 AND reached > 0 AND (kept IS NULL OR reached > kept OR (reached = kept AND held.retained_until < next_end)) THEN
          INSERT INTO tier_status (member_id, held_threshold, retained_until) VALUES (NEW.member_id, reached, next_end)
          ON CONFLICT (member_id) DO UPDATE SET held_threshold = EXCLUDED.held_threshold, retained_until = EXCLUDED.retained_until, reached_at = now(),
            prev_threshold = tier_status.held_threshold, prev_until = tier_status.retained_until;
          kept := reached;
        ELSIF delta < 0 AND has_row AND held.held_threshold > coalesce(reached, 0)
              AND NEW.month >= date_trunc('month', held.reached_at AT TIME ZONE 'UTC')::date THEN
          -- A refund of an earn made since the tier was reached, leaving the qualifying points below it: the
          -- tier was reached with points that no longer stand, so what was kept before comes back.
          IF held.prev_threshold IS NULL THEN
            DELETE FROM tier_status WHERE member_id = NEW.member_id;
            kept := NULL;
          ELSE
            UPDATE tier_status SET held_threshold = held.prev_threshold, retained_until = held.prev_until, prev_threshold = NULL, prev_until = NULL
             WHERE member_id = NEW.member_id;
            kept := ledger_retained_threshold(held.prev_threshold, held.prev_until);
          END IF;
        END IF;
        tier_after := names[ledger_threshold_rank(thresholds, greatest(after_q, coalesce(kept, 0)))];
        IF tier_before IS DISTINCT FROM tier_after
           AND NOT EXISTS (SELECT 1 FROM tier_overrides o WHERE o.member_id = NEW.member_id AND o.ends_at > now()
                             AND o.created_at = (SELECT max(created_at) FROM tier_overrides WHERE member_id = NEW.member_id)) THEN
          INSERT INTO member_notices (member_id, type, payload, notice_key)
          VALUES (NEW.member_id, 'member.tier_changed',
                  jsonb_build_object('memberId', NEW.member_id, 'from', tier_before, 'to', tier_after, 'qualifyingPoints', after_q),
                  'member.tier_changed:' || gen_random_uuid());
        END IF;
        RETURN NULL;
      END $$;

      CREATE OR REPLACE FUNCTION ledger_check_member_points() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE net numeric;
      BEGIN
        SELECT coalesce(sum(p.amount), 0) INTO net FROM postings p
         WHERE p.transaction_id = NEW.id AND (SELECT a.kind FROM accounts a WHERE a.id = p.account_id) = 'MEMBER';
        IF net <> NEW.points THEN
          RAISE EXCEPTION 'transaction % claims % points but moves % on member accounts', NEW.id, NEW.points, net USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_member_points() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE net numeric;
      BEGIN
        SELECT coalesce(sum(p.amount), 0) INTO net FROM postings p JOIN accounts a ON a.id = p.account_id
         WHERE p.transaction_id = NEW.id AND a.kind = 'MEMBER';
        IF net <> NEW.points THEN
          RAISE EXCEPTION 'transaction % claims % points but moves % on member accounts', NEW.id, NEW.points, net USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE OR REPLACE FUNCTION ledger_tier_for(qualifying bigint) RETURNS text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
        SELECT name FROM tiers WHERE threshold <= qualifying ORDER BY threshold DESC LIMIT 1
      $$;
      CREATE OR REPLACE FUNCTION ledger_retained_threshold(held bigint, until timestamptz) RETURNS bigint LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
        WITH ranked AS (SELECT threshold, row_number() OVER (ORDER BY threshold) AS r FROM tiers),
             h AS (SELECT r FROM ranked WHERE threshold <= held ORDER BY threshold DESC LIMIT 1)
        SELECT ranked.threshold FROM ranked, h
         WHERE ranked.r = h.r - CASE WHEN until > now() THEN 0
                                     ELSE (extract(year FROM now() AT TIME ZONE 'UTC') - extract(year FROM until AT TIME ZONE 'UTC'))::int + 1 END
      $$;
      -- qualifying_tier_notice keeps this migration's body (the same rules), so ledger_threshold_rank stays.
    `);
  }
}
