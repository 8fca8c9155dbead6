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
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
