import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Live updates (GET /events/stream on the gateway): every event the outbox receives is also announced on
 * the PostgreSQL channel `hub_events`, in the same transaction, so it is heard only once the fact commits
 * (NOTIFY is transactional) and never for a rolled-back one. The announcement carries the outbox row's
 * id, type, member, partner and payload (what the event's partner may read); a payload too large for
 * NOTIFY (8,000 bytes) is announced without it. Listeners filter per subscriber; the outbox stays the
 * record (webhooks deliver from it at least once; the stream is live and best effort).
 */
export class LiveEventsNotify1740300000000 implements MigrationInterface {
  name = 'LiveEventsNotify1740300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION event_outbox_notify() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        message text;
      BEGIN
        message := jsonb_build_object('id', NEW.id, 'type', NEW.type, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id,
                                      'occurredAt', NEW.occurred_at, 'payload', NEW.payload)::text;
        IF octet_length(message) > 7900 THEN
          message := jsonb_build_object('id', NEW.id, 'type', NEW.type, 'memberId', NEW.member_id, 'partnerId', NEW.partner_id,
                                        'occurredAt', NEW.occurred_at)::text;
        END IF;
        PERFORM pg_notify('hub_events', message);
        RETURN NULL;
      END $$;
      CREATE TRIGGER event_outbox_notify AFTER INSERT ON event_outbox FOR EACH ROW EXECUTE FUNCTION event_outbox_notify();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER event_outbox_notify ON event_outbox; DROP FUNCTION event_outbox_notify()');
  }
}
