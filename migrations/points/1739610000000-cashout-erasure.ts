import { type MigrationInterface, type QueryRunner } from 'typeorm';

const GUARD_BODY = `
        IF NEW.member_id <> OLD.member_id OR NEW.transaction_id <> OLD.transaction_id OR NEW.points <> OLD.points
           OR NEW.point_value <> OLD.point_value OR NEW.amount_minor <> OLD.amount_minor OR NEW.currency <> OLD.currency
           OR NEW.iban <> OLD.iban OR NEW.holder_name <> OLD.holder_name OR NEW.created_at <> OLD.created_at THEN
          RAISE EXCEPTION 'cashout % is immutable', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT ((OLD.status = 'PENDING' AND NEW.status = 'BATCHED') OR (OLD.status = 'BATCHED' AND NEW.status IN ('PAID', 'FAILED') AND NEW.batch_id = OLD.batch_id)) THEN
          RAISE EXCEPTION 'cashout % cannot go from % to %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;`;

/**
 * A cashout names the member's bank account and the account holder (the member's name). Erasure replaces
 * both on settled cashouts (PAID or FAILED): the holder becomes `erased:<erasure id>` and the IBAN keeps its
 * country and last five characters (`NO00ERASED12345`), the amounts and states untouched; the guard lets
 * exactly that change through and nothing else. A payout still in flight (PENDING, BATCHED) needs the
 * account to be paid: `erase_member_cashouts` refuses while one exists, and the erasure waits for it
 * (its reconciler retries), as it waits for open holds.
 */
export class CashoutErasure1739610000000 implements MigrationInterface {
  name = 'CashoutErasure1739610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_guard_cashout() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF OLD.status IN ('PAID', 'FAILED') AND NEW.holder_name LIKE 'erased:%' AND NEW.iban ~ '^[A-Z]{2}00ERASED[A-Z0-9]{5}$'
           AND to_jsonb(NEW) - 'holder_name' - 'iban' = to_jsonb(OLD) - 'holder_name' - 'iban' THEN
          RETURN NEW;
        END IF;${GUARD_BODY}
      END $$;

      CREATE FUNCTION erase_member_cashouts(member uuid, erasure uuid) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM cashouts WHERE member_id = member AND status IN ('PENDING', 'BATCHED')) THEN
          RAISE EXCEPTION 'member % has a payout in flight; erasure waits for it', member USING ERRCODE = 'lock_not_available';
        END IF;
        UPDATE cashouts SET holder_name = 'erased:' || erasure::text, iban = left(iban, 2) || '00ERASED' || right(iban, 5)
         WHERE member_id = member AND holder_name NOT LIKE 'erased:%';
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION erase_member_cashouts(uuid, uuid);
      CREATE OR REPLACE FUNCTION ledger_guard_cashout() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN${GUARD_BODY}
      END $$;
    `);
  }
}
