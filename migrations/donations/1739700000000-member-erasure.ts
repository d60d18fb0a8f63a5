import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { AUDIT_ERASURE_DDL, AUDIT_ERASURE_DROP, MEMBER_ERASURES_DDL, MEMBER_ERASURES_DROP } from '../member-erasure-ddl';

/**
 * Erasure on the giving side: one row per erasure id; the audit log may have subject and idempotency key
 * replaced by their erased form; and a donation's idempotency caller (the donor's token subject) and key may
 * be replaced by theirs, whatever the donation's status, with nothing else changing. Donations, accruals,
 * matches and receipts keep their facts: they name the member only by id, and a receipt's hash covers the
 * donation, accrual or match id, never the member (receipt-chain.ts), so every chain still verifies.
 */
export class DonationsMemberErasure1739700000000 implements MigrationInterface {
  name = 'DonationsMemberErasure1739700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ${MEMBER_ERASURES_DDL}
      ${AUDIT_ERASURE_DDL}
      CREATE OR REPLACE FUNCTION donations_guard() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NEW.idempotency_caller LIKE 'erased:%'
           AND (NEW.idempotency_key IS NOT DISTINCT FROM OLD.idempotency_key OR NEW.idempotency_key LIKE 'erased:%')
           AND to_jsonb(NEW) - 'idempotency_caller' - 'idempotency_key' = to_jsonb(OLD) - 'idempotency_caller' - 'idempotency_key' THEN
          RETURN NEW;
        END IF;
        IF OLD.status <> 'PENDING' THEN
          RAISE EXCEPTION 'donation % is already %', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <> OLD.id OR NEW.member_id <> OLD.member_id OR NEW.charity_id <> OLD.charity_id OR NEW.points <> OLD.points
           OR NEW.value_minor <> OLD.value_minor OR NEW.currency <> OLD.currency OR NEW.receipt_id <> OLD.receipt_id OR NEW.created_at <> OLD.created_at THEN
          RAISE EXCEPTION 'donation facts are immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION donations_guard() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.status <> 'PENDING' THEN
          RAISE EXCEPTION 'donation % is already %', OLD.id, OLD.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.id <> OLD.id OR NEW.member_id <> OLD.member_id OR NEW.charity_id <> OLD.charity_id OR NEW.points <> OLD.points
           OR NEW.value_minor <> OLD.value_minor OR NEW.currency <> OLD.currency OR NEW.receipt_id <> OLD.receipt_id OR NEW.created_at <> OLD.created_at THEN
          RAISE EXCEPTION 'donation facts are immutable' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      ${AUDIT_ERASURE_DROP} ${MEMBER_ERASURES_DROP}
    `);
  }
}
