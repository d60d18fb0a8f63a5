import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Goodwill and campaign grants (grantPoints, and bulk grants uploaded as CSV to the gateway).
 * - grant_imports: one row per uploaded file that was granted, unique per caller and idempotency key,
 *   with the file's SHA-256: the same key with the same file answers the stored import, with another file
 *   IDEMPOTENCY_KEY_REUSED, for as long as the ledger lives (idempotency keys are purged after a while).
 * - grants: why each GRANT transaction was made (reason, who granted it, and its import and CSV line).
 *   Every GRANT transaction has its row, checked at commit. Both tables are append-only.
 */
export class Grants1739410000000 implements MigrationInterface {
  name = 'Grants1739410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE grant_imports (
        id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        caller          text        NOT NULL,
        idempotency_key text        NOT NULL,
        file_sha256     text        NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
        funded_by       uuid,
        rows            integer     NOT NULL CHECK (rows > 0),
        points          bigint      NOT NULL CHECK (points > 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT grant_imports_key UNIQUE (caller, idempotency_key)
      );
      CREATE TABLE grants (
        transaction_id uuid        PRIMARY KEY REFERENCES transactions (id),
        reason         text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        granted_by     text        NOT NULL,
        import_id      uuid        REFERENCES grant_imports (id),
        line           integer     CHECK (line > 0),
        CONSTRAINT grants_import_line_check CHECK ((import_id IS NULL) = (line IS NULL))
      );
      CREATE INDEX grants_import_idx ON grants (import_id) WHERE import_id IS NOT NULL;
      CREATE TRIGGER grant_imports_append_only BEFORE UPDATE OR DELETE ON grant_imports FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
      CREATE TRIGGER grants_append_only BEFORE UPDATE OR DELETE ON grants FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

      CREATE FUNCTION ledger_check_grant_link() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM grants WHERE transaction_id = NEW.id) THEN
          RAISE EXCEPTION 'grant transaction % has no grant row', NEW.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER transactions_grant_link AFTER INSERT ON transactions
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = 'GRANT') EXECUTE FUNCTION ledger_check_grant_link();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER transactions_grant_link ON transactions; DROP FUNCTION ledger_check_grant_link();
      DROP TABLE grants; DROP TABLE grant_imports;
    `);
  }
}
