import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Tier rules members understand (issue 18, part 5): retention and admin overrides.
 * - tier_status: per member, the threshold of the highest tier their qualifying points reached and when
 *   keeping it ends (exclusive: 1 January, UTC, of the year after next). Kept by the trigger on
 *   qualifying_points (the earn's own transaction, 1740210000000): when the qualifying tier reaches the tier
 *   kept now, or passes it, the row is set to it until the end of the next calendar year. So the earn reads
 *   one row (with its pricing context) to know the tier it prices with, whatever the history.
 * - ledger_retained_threshold(held, until): the tier a row still keeps now: the reached tier before `until`,
 *   then one level down per calendar year after (domain/tier.rules.ts retainedTier says the same in code).
 *   A refund of an earn made since the tier was reached that leaves the qualifying points below it undoes the
 *   reaching (the row's previous tier and end come back): a tier bought and refunded is not kept.
 * - tier_overrides: an admin's override (tier by name, end, reason, who), appended, never changed; the newest
 *   in force wins over qualifying and retention until its end.
 * - member.tier_changed now compares the tier kept (the higher of qualifying and retained) before and after a
 *   qualifying change, and is silent while an override is in force; a retention ending at a year's turn is
 *   not announced (nothing runs then).
 * Existing members get the tier their qualifying points give now, kept until the end of next year.
 */
export class TierRetention1741310000000 implements MigrationInterface {
  name = 'TierRetention1741310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tier_status (
        member_id      uuid        PRIMARY KEY,
        held_threshold bigint      NOT NULL CHECK (held_threshold > 0),
        retained_until timestamptz NOT NULL,
        reached_at     timestamptz NOT NULL DEFAULT now(),
        prev_threshold bigint,
        prev_until     timestamptz
      );

      CREATE TABLE tier_overrides (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        member_id  uuid        NOT NULL,
        tier_name  text        NOT NULL,
        ends_at    timestamptz NOT NULL,
        reason     text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        set_by     text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX tier_overrides_member_idx ON tier_overrides (member_id, created_at DESC);
      CREATE TRIGGER tier_overrides_append_only BEFORE UPDATE OR DELETE ON tier_overrides FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE FUNCTION ledger_retained_threshold(held bigint, until timestamptz) RETURNS bigint LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
        WITH ranked AS (SELECT threshold, row_number() OVER (ORDER BY threshold) AS r FROM tiers),
             h AS (SELECT r FROM ranked WHERE threshold <= held ORDER BY threshold DESC LIMIT 1)
        SELECT ranked.threshold FROM ranked, h
         WHERE ranked.r = h.r - CASE WHEN until > now() THEN 0
                                     ELSE (extract(year FROM now() AT TIME ZONE 'UTC') - extract(year FROM until AT TIME ZONE 'UTC'))::int + 1 END
      $$;

      CREATE OR REPLACE FUNCTION qualifying_tier_notice() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        delta bigint := NEW.points - CASE WHEN TG_OP = 'UPDATE' THEN OLD.points ELSE 0 END;
        after_q bigint;
        reached bigint;
        kept bigint;
        held tier_status%ROWTYPE;
        has_row boolean;
        next_end timestamptz := (date_trunc('year', now() AT TIME ZONE 'UTC') + interval '2 years') AT TIME ZONE 'UTC';
        tier_before text;
        tier_after text;
      BEGIN
        IF delta = 0 OR NEW.month <= (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date OR NOT EXISTS (SELECT 1 FROM tiers) THEN
          RETURN NULL;
        END IF;
        SELECT coalesce(sum(points), 0) INTO after_q FROM qualifying_points
         WHERE member_id = NEW.member_id AND month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date;
        SELECT * INTO held FROM tier_status WHERE member_id = NEW.member_id;
        has_row := FOUND;
        IF has_row THEN kept := ledger_retained_threshold(held.held_threshold, held.retained_until); END IF;
        tier_before := ledger_tier_for(greatest(after_q - delta, coalesce(kept, 0)));
        -- Reaching (or passing) the tier kept now keeps the reached tier until the end of next year.
        SELECT threshold INTO reached FROM tiers WHERE threshold <= after_q ORDER BY threshold DESC LIMIT 1;
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
        tier_after := ledger_tier_for(greatest(after_q, coalesce(kept, 0)));
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

      INSERT INTO tier_status (member_id, held_threshold, retained_until)
      SELECT q.member_id, t.threshold, (date_trunc('year', now() AT TIME ZONE 'UTC') + interval '2 years') AT TIME ZONE 'UTC'
        FROM (SELECT member_id, sum(points) AS points FROM qualifying_points
               WHERE month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date GROUP BY member_id) q
        CROSS JOIN LATERAL (SELECT threshold FROM tiers WHERE threshold <= q.points ORDER BY threshold DESC LIMIT 1) t
       WHERE t.threshold > 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION qualifying_tier_notice() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        delta bigint := NEW.points - CASE WHEN TG_OP = 'UPDATE' THEN OLD.points ELSE 0 END;
        after_q bigint;
        tier_before text;
        tier_after text;
      BEGIN
        IF delta = 0 OR NEW.month <= (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date OR NOT EXISTS (SELECT 1 FROM tiers) THEN
          RETURN NULL;
        END IF;
        SELECT coalesce(sum(points), 0) INTO after_q FROM qualifying_points
         WHERE member_id = NEW.member_id AND month > (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date;
        tier_before := ledger_tier_for(after_q - delta);
        tier_after := ledger_tier_for(after_q);
        IF tier_before IS DISTINCT FROM tier_after THEN
          INSERT INTO member_notices (member_id, type, payload, notice_key)
          VALUES (NEW.member_id, 'member.tier_changed',
                  jsonb_build_object('memberId', NEW.member_id, 'from', tier_before, 'to', tier_after, 'qualifyingPoints', after_q),
                  'member.tier_changed:' || gen_random_uuid());
        END IF;
        RETURN NULL;
      END $$;
      DROP FUNCTION ledger_retained_threshold(bigint, timestamptz);
      DROP TABLE tier_overrides;
      DROP TABLE tier_status;
    `);
  }
}
