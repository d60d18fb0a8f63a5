import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Events for partners and notices for members, from one outbox.
 * - earn_outbox becomes event_outbox: every row now has a dotted `type` (points.earned, points.redeemed,
 *   points.reversed, hold.captured, hold.voided, hold.expired, points.expiring, member.tier_changed), a
 *   stable `event_id` (the webhook-id partners deduplicate on) and a `payload` holding only what the
 *   receiving partner may read. Rows the pledge relay consumes keep their `kind` (EARN, EARN_REVERSAL) and
 *   earn columns and its `delivered_at`; `fanned_out_at` is the webhook fan-out's own progress. A view
 *   named earn_outbox keeps the pledge relay's old shape for readers of it.
 * - The transaction trigger writes the event in the very transaction that writes the fact (as the earn
 *   outbox did), and now also for redemptions and every reversal, and a member.tier_changed notice when an
 *   earn or its reversal moves the member across a tier threshold; a hold trigger writes hold.* events.
 * - member_notices: what a member's portal lists (Member.notices); each notice also goes to the outbox.
 *   notice_key makes a notice once only (points.expiring: once per account and expiry day).
 * - webhook_endpoints (a partner's URL, event types, signing secret, ACTIVE or DISABLED with the reason)
 *   and webhook_deliveries (one per endpoint and event: PENDING until DELIVERED, or FAILED after the
 *   retry window; attempts, last error, next attempt).
 */
export class EventOutboxWebhooks1740200000000 implements MigrationInterface {
  name = 'EventOutboxWebhooks1740200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE earn_outbox RENAME TO event_outbox;
      ALTER TABLE event_outbox
        ADD COLUMN event_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
        ADD COLUMN type          text,
        ADD COLUMN payload       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN fanned_out_at timestamptz,
        ALTER COLUMN transaction_id DROP NOT NULL,
        ALTER COLUMN kind DROP NOT NULL,
        ALTER COLUMN earn_id DROP NOT NULL,
        ALTER COLUMN partner_id DROP NOT NULL,
        ALTER COLUMN purchase_minor DROP NOT NULL,
        ALTER COLUMN currency DROP NOT NULL;
      -- Events written before webhooks existed go to no endpoint.
      UPDATE event_outbox SET type = CASE kind WHEN 'EARN' THEN 'points.earned' ELSE 'points.reversed' END, fanned_out_at = now();
      ALTER TABLE event_outbox ALTER COLUMN type SET NOT NULL,
        ADD CONSTRAINT event_outbox_event_key UNIQUE (event_id),
        ADD CONSTRAINT event_outbox_type_check CHECK (type IN ('points.earned', 'points.redeemed', 'points.reversed', 'hold.captured',
          'hold.voided', 'hold.expired', 'points.expiring', 'member.tier_changed')),
        -- A pledge event is an earn's or its reversal's, with what the relay needs.
        ADD CONSTRAINT event_outbox_pledge_check CHECK (kind IS NULL OR (transaction_id IS NOT NULL AND earn_id IS NOT NULL
          AND partner_id IS NOT NULL AND purchase_minor IS NOT NULL AND currency IS NOT NULL));
      ALTER TABLE event_outbox DROP CONSTRAINT earn_outbox_transaction_key;
      CREATE UNIQUE INDEX event_outbox_pledge_key ON event_outbox (transaction_id) WHERE kind IS NOT NULL;
      DROP INDEX earn_outbox_undelivered_idx;
      CREATE INDEX event_outbox_unrelayed_idx ON event_outbox (id) WHERE delivered_at IS NULL AND kind IS NOT NULL;
      CREATE INDEX event_outbox_unfanned_idx ON event_outbox (id) WHERE fanned_out_at IS NULL;
      CREATE VIEW earn_outbox AS
        SELECT id, transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at, delivered_at, attempts
          FROM event_outbox WHERE kind IS NOT NULL;

      CREATE TABLE member_notices (
        id          bigserial   PRIMARY KEY,
        member_id   uuid        NOT NULL,
        type        text        NOT NULL CHECK (type IN ('points.expiring', 'member.tier_changed')),
        payload     jsonb       NOT NULL,
        notice_key  text        NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX member_notices_member_idx ON member_notices (member_id, id DESC);
      CREATE FUNCTION member_notice_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO event_outbox (type, member_id, payload, occurred_at) VALUES (NEW.type, NEW.member_id, NEW.payload, NEW.created_at);
        RETURN NULL;
      END $$;
      CREATE TRIGGER member_notices_outbox AFTER INSERT ON member_notices FOR EACH ROW EXECUTE FUNCTION member_notice_outbox();

      -- The member's tier from qualifying points (as the earn prices it: earns of the last 12 months not reversed).
      CREATE FUNCTION ledger_tier_for(qualifying bigint) RETURNS text LANGUAGE sql STABLE SET search_path FROM CURRENT AS $$
        SELECT name FROM tiers WHERE threshold <= qualifying ORDER BY threshold DESC LIMIT 1
      $$;

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
      DROP TRIGGER transactions_earn_outbox ON transactions;
      CREATE TRIGGER transactions_event_outbox AFTER INSERT ON transactions
        FOR EACH ROW WHEN (NEW.kind IN ('EARN', 'REVERSAL', 'REDEEM')) EXECUTE FUNCTION ledger_earn_outbox();

      CREATE FUNCTION ledger_hold_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO event_outbox (type, partner_id, member_id, occurred_at, payload)
        VALUES ('hold.' || lower(NEW.status), NEW.partner_id, NEW.member_id, coalesce(NEW.finalized_at, now()),
                jsonb_build_object('holdId', NEW.id, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id, 'points', NEW.points,
                  'capturedPoints', NEW.captured_points, 'transactionId', NEW.capture_transaction_id, 'reference', NEW.reference,
                  'status', NEW.status));
        RETURN NULL;
      END $$;
      CREATE TRIGGER holds_event_outbox AFTER UPDATE OF status ON holds
        FOR EACH ROW WHEN (OLD.status = 'OPEN' AND NEW.status IN ('CAPTURED', 'VOIDED', 'EXPIRED')) EXECUTE FUNCTION ledger_hold_outbox();

      CREATE TABLE webhook_endpoints (
        id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        partner_id           uuid        NOT NULL,
        url                  text        NOT NULL CHECK (length(url) <= 2048),
        events               text[]      NOT NULL CHECK (cardinality(events) >= 1),
        secret               text        NOT NULL,
        status               text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
        disabled_reason      text,
        disabled_at          timestamptz,
        consecutive_failures integer     NOT NULL DEFAULT 0,
        failing_since        timestamptz,
        created_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_endpoints_disabled_check CHECK ((status = 'DISABLED') = (disabled_at IS NOT NULL AND disabled_reason IS NOT NULL))
      );
      CREATE INDEX webhook_endpoints_partner_idx ON webhook_endpoints (partner_id) WHERE status = 'ACTIVE';

      CREATE TABLE webhook_deliveries (
        id               bigserial   PRIMARY KEY,
        endpoint_id      uuid        NOT NULL REFERENCES webhook_endpoints (id),
        outbox_id        bigint      NOT NULL REFERENCES event_outbox (id),
        member_id        uuid,
        status           text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts         integer     NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        delivered_at     timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_event_key UNIQUE (endpoint_id, outbox_id)
      );
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'PENDING';
      CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, member_id, id) WHERE status = 'PENDING';
      CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);
      ALTER TABLE webhook_deliveries SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_analyze_scale_factor = 0.02);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE webhook_deliveries; DROP TABLE webhook_endpoints;
      DROP TRIGGER holds_event_outbox ON holds; DROP FUNCTION ledger_hold_outbox();
      DROP TRIGGER transactions_event_outbox ON transactions;
      DROP TRIGGER member_notices_outbox ON member_notices; DROP FUNCTION member_notice_outbox(); DROP TABLE member_notices;
      DROP VIEW earn_outbox;
      DELETE FROM event_outbox WHERE kind IS NULL;
      DROP INDEX event_outbox_unfanned_idx; DROP INDEX event_outbox_unrelayed_idx; DROP INDEX event_outbox_pledge_key;
      ALTER TABLE event_outbox DROP CONSTRAINT event_outbox_pledge_check, DROP CONSTRAINT event_outbox_type_check, DROP CONSTRAINT event_outbox_event_key,
        DROP COLUMN event_id, DROP COLUMN type, DROP COLUMN payload, DROP COLUMN fanned_out_at;
      ALTER TABLE event_outbox RENAME TO earn_outbox;
      ALTER TABLE earn_outbox ADD CONSTRAINT earn_outbox_transaction_key UNIQUE (transaction_id);
      CREATE INDEX earn_outbox_undelivered_idx ON earn_outbox (id) WHERE delivered_at IS NULL;
      DROP FUNCTION ledger_tier_for(bigint);
      CREATE OR REPLACE FUNCTION ledger_earn_outbox() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE original transactions%ROWTYPE;
      BEGIN
        IF NEW.kind = 'EARN' THEN
          INSERT INTO earn_outbox (transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at)
          VALUES (NEW.id, 'EARN', NEW.id, NEW.partner_id, NEW.member_id, NEW.purchase_minor, NEW.purchase_currency, NEW.created_at);
        ELSIF NEW.kind = 'REVERSAL' AND NEW.reverses IS NOT NULL THEN
          SELECT * INTO original FROM transactions WHERE id = NEW.reverses;
          IF original.kind = 'EARN' THEN
            INSERT INTO earn_outbox (transaction_id, kind, earn_id, partner_id, member_id, purchase_minor, currency, occurred_at)
            VALUES (NEW.id, 'EARN_REVERSAL', original.id, original.partner_id, original.member_id, original.purchase_minor,
                    original.purchase_currency, NEW.created_at);
          END IF;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER transactions_earn_outbox AFTER INSERT ON transactions
        FOR EACH ROW WHEN (NEW.kind IN ('EARN', 'REVERSAL')) EXECUTE FUNCTION ledger_earn_outbox();
    `);
  }
}
