-- The audit ledger: append-only. No code path updates or deletes a row, and
-- the database refuses to (R5.4).
CREATE TABLE audit_entries (
    log_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    agency_id BIGINT,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    canonical TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    chain_hash TEXT NOT NULL,
    PRIMARY KEY (log_id, seq)
);
CREATE INDEX audit_by_actor ON audit_entries (log_id, actor_id, action, seq);
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM PUBLIC;
