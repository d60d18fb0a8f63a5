import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * member.tier_changed from the qualifying points the earn itself keeps (qualifying_points, one bucket per
 * member and calendar month, 1739340000000), instead of summing the member's earns of 12 months at every
 * earn (what 1740200000000 did, and what the running figure was made to avoid). A trigger on the buckets
 * compares the member's tier before and after each change of a bucket inside the window (an earn adds, a
 * reversal takes out), so it sees the same figure the earn prices with, whichever statement changes it.
 */
export class TierNoticesFromQualifying1740210000000 implements MigrationInterface {
  name = 'TierNoticesFromQualifying1740210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_earn_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        original transactions%ROWTYPE;
        partner uuid := NEW.partner_id;
      BEGIN
        IF NEW.kind = 'EARN' THEN
          INSERT INTO event_outbox (type, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at, payload)
          VALUES ('points.earned', NEW.id, 'EARN', NEW.id, NEW.partner_id, NEW.member_id, NEW.purchase_minor, NEW.purchase_currency, NEW.created_at,
                  jsonb_build_object('transactionId', NEW.id, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id, 'points', NEW.points,
                    'reference', NEW.reference, 'purchase', jsonb_build_object('amountMinor', NEW.purchase_minor, 'currency', NEW.purchase_currency)));
        ELSIF NEW.kind = 'REDEEM' THEN
          INSERT INTO event_outbox (type, transaction_id, partner_id, member_id, occurred_at, payload)
          VALUES ('points.redeemed', NEW.id, NEW.partner_id, NEW.member_id, NEW.created_at,
                  jsonb_build_object('transactionId', NEW.id, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id, 'points', -NEW.points,
                    'reference', NEW.reference, 'holdId', NEW.hold_id));
        ELSIF NEW.kind = 'REVERSAL' AND NEW.reverses IS NOT NULL THEN
          SELECT * INTO original FROM transactions WHERE id = NEW.reverses;
          partner := coalesce(NEW.partner_id, original.partner_id);
          IF original.kind = 'EARN' THEN
            INSERT INTO event_outbox (type, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at, payload)
            VALUES ('points.reversed', NEW.id, 'EARN_REVERSAL', original.id, original.partner_id, original.member_id, original.purchase_minor,
                    original.purchase_currency, NEW.created_at,
                    jsonb_build_object('transactionId', NEW.id, 'reverses', original.id, 'reversedKind', original.kind, 'memberId', original.member_id,
                      'partnerId', original.partner_id, 'points', NEW.points, 'reference', NEW.reference));
          ELSIF partner IS NOT NULL AND original.member_id IS NOT NULL THEN
            INSERT INTO event_outbox (type, transaction_id, partner_id, member_id, occurred_at, payload)
            VALUES ('points.reversed', NEW.id, partner, original.member_id, NEW.created_at,
                    jsonb_build_object('transactionId', NEW.id, 'reverses', original.id, 'reversedKind', original.kind, 'memberId', original.member_id,
                      'partnerId', partner, 'points', NEW.points, 'reference', NEW.reference));
          END IF;
        END IF;

        RETURN NULL;
      END $$;
      CREATE FUNCTION qualifying_tier_notice() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
      CREATE TRIGGER qualifying_points_tier_notice AFTER INSERT OR UPDATE OF points ON qualifying_points
        FOR EACH ROW EXECUTE FUNCTION qualifying_tier_notice();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER qualifying_points_tier_notice ON qualifying_points; DROP FUNCTION qualifying_tier_notice();
      CREATE OR REPLACE FUNCTION ledger_earn_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        original transactions%ROWTYPE;
        partner uuid := NEW.partner_id;
        after_q bigint;
        before_q bigint;
        tier_before text;
        tier_after text;
      BEGIN
        IF NEW.kind = 'EARN' THEN
          INSERT INTO event_outbox (type, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at, payload)
          VALUES ('points.earned', NEW.id, 'EARN', NEW.id, NEW.partner_id, NEW.member_id, NEW.purchase_minor, NEW.purchase_currency, NEW.created_at,
                  jsonb_build_object('transactionId', NEW.id, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id, 'points', NEW.points,
                    'reference', NEW.reference, 'purchase', jsonb_build_object('amountMinor', NEW.purchase_minor, 'currency', NEW.purchase_currency)));
        ELSIF NEW.kind = 'REDEEM' THEN
          INSERT INTO event_outbox (type, transaction_id, partner_id, member_id, occurred_at, payload)
          VALUES ('points.redeemed', NEW.id, NEW.partner_id, NEW.member_id, NEW.created_at,
                  jsonb_build_object('transactionId', NEW.id, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id, 'points', -NEW.points,
                    'reference', NEW.reference, 'holdId', NEW.hold_id));
        ELSIF NEW.kind = 'REVERSAL' AND NEW.reverses IS NOT NULL THEN
          SELECT * INTO original FROM transactions WHERE id = NEW.reverses;
          partner := coalesce(NEW.partner_id, original.partner_id);
          IF original.kind = 'EARN' THEN
            INSERT INTO event_outbox (type, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at, payload)
            VALUES ('points.reversed', NEW.id, 'EARN_REVERSAL', original.id, original.partner_id, original.member_id, original.purchase_minor,
                    original.purchase_currency, NEW.created_at,
                    jsonb_build_object('transactionId', NEW.id, 'reverses', original.id, 'reversedKind', original.kind, 'memberId', original.member_id,
                      'partnerId', original.partner_id, 'points', NEW.points, 'reference', NEW.reference));
          ELSIF partner IS NOT NULL AND original.member_id IS NOT NULL THEN
            INSERT INTO event_outbox (type, transaction_id, partner_id, member_id, occurred_at, payload)
            VALUES ('points.reversed', NEW.id, partner, original.member_id, NEW.created_at,
                    jsonb_build_object('transactionId', NEW.id, 'reverses', original.id, 'reversedKind', original.kind, 'memberId', original.member_id,
                      'partnerId', partner, 'points', NEW.points, 'reference', NEW.reference));
          END IF;
        END IF;

        -- member.tier_changed: an earn, or the reversal of one, that moves the member across a threshold.
        IF (NEW.kind = 'EARN' OR (NEW.kind = 'REVERSAL' AND original.kind = 'EARN')) AND EXISTS (SELECT 1 FROM tiers) THEN
          SELECT coalesce(sum(t.points), 0) INTO after_q FROM transactions t
           WHERE t.member_id = coalesce(NEW.member_id, original.member_id) AND t.kind = 'EARN' AND t.created_at > now() - interval '12 months'
             AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses = t.id);
          IF NEW.kind = 'EARN' THEN
            before_q := after_q - NEW.points;
          ELSIF original.created_at > now() - interval '12 months' THEN
            before_q := after_q + original.points;
          ELSE
            before_q := after_q;
          END IF;
          tier_before := ledger_tier_for(before_q);
          tier_after := ledger_tier_for(after_q);
          IF tier_before IS DISTINCT FROM tier_after THEN
            INSERT INTO member_notices (member_id, type, payload, notice_key)
            VALUES (coalesce(NEW.member_id, original.member_id), 'member.tier_changed',
                    jsonb_build_object('memberId', coalesce(NEW.member_id, original.member_id), 'from', tier_before, 'to', tier_after,
                      'qualifyingPoints', after_q),
                    'member.tier_changed:' || NEW.id);
          END IF;
        END IF;
        RETURN NULL;
      END $$;
    `);
  }
}
