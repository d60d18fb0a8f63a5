/**
 * DDL shared by each subgraph's member-erasure migration (members, points, donations, partners). Not a
 * migration: a helper for them (not listed in any index.ts). Its text must not change once those landed.
 *
 * - `member_erasures`: the erasures this subgraph carried out, one row per erasure id (the members
 *   subgraph's request id), so the internal operation runs its effect once however often it is called.
 * - The audit log stays append-only except for one change: a row's `subject` (the token's subject: for a
 *   person, an identifier the identity provider may have made of their email) and `idempotency_key` may be
 *   replaced by their erased form, `erased:…`, and nothing else about the row may change.
 */
export const MEMBER_ERASURES_DDL = `
  CREATE TABLE member_erasures (
    erasure_id uuid        PRIMARY KEY,
    member_id  uuid        NOT NULL,
    erased_at  timestamptz NOT NULL DEFAULT clock_timestamp()
  );
  CREATE INDEX member_erasures_member_idx ON member_erasures (member_id);
  CREATE TRIGGER member_erasures_append_only BEFORE UPDATE OR DELETE ON member_erasures
    FOR EACH ROW EXECUTE FUNCTION audit_log_forbid_change();`;

export const AUDIT_ERASURE_DDL = `
  CREATE FUNCTION audit_log_erase_only() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
  BEGIN
    IF NEW.subject LIKE 'erased:%'
       AND (NEW.idempotency_key IS NOT DISTINCT FROM OLD.idempotency_key OR NEW.idempotency_key LIKE 'erased:%')
       AND to_jsonb(NEW) - 'subject' - 'idempotency_key' = to_jsonb(OLD) - 'subject' - 'idempotency_key' THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only (only an erasure may replace subject and idempotency_key)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END $$;
  DROP TRIGGER audit_log_append_only ON audit_log;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_forbid_change();
  CREATE TRIGGER audit_log_erase_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_erase_only();
  CREATE INDEX audit_log_member_idx ON audit_log (member_id) WHERE member_id IS NOT NULL;
  CREATE INDEX audit_log_target_idx ON audit_log (target_id) WHERE target_id IS NOT NULL;`;

export const AUDIT_ERASURE_DROP = `
  DROP INDEX audit_log_target_idx; DROP INDEX audit_log_member_idx;
  DROP TRIGGER audit_log_erase_only ON audit_log; DROP TRIGGER audit_log_no_delete ON audit_log; DROP FUNCTION audit_log_erase_only();
  CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_forbid_change();`;

export const MEMBER_ERASURES_DROP = 'DROP TABLE member_erasures;';
