-- Contract end (R6.1): an agency's offboarding, and the one sanctioned way
-- an audit log's rows may be deleted. A log can be destroyed only once its
-- destruction is recorded in audit_log_destructions (itself append-only);
-- the triggers refuse every other delete, as before.
CREATE TABLE agency_offboarding (
    agency_id BIGINT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    window_ends_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    completed_at BIGINT
);
CREATE TABLE audit_log_destructions (
    log_id TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
CREATE TRIGGER audit_log_destructions_no_update BEFORE UPDATE ON audit_log_destructions
BEGIN
    SELECT RAISE(ABORT, 'audit_log_destructions is append-only');
END;
CREATE TRIGGER audit_log_destructions_no_delete BEFORE DELETE ON audit_log_destructions
BEGIN
    SELECT RAISE(ABORT, 'audit_log_destructions is append-only');
END;
DROP TRIGGER audit_entries_no_delete;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN NOT EXISTS (SELECT 1 FROM audit_log_destructions d WHERE d.log_id = OLD.log_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only');
END;
DROP TRIGGER audit_keys_no_delete;
CREATE TRIGGER audit_keys_no_delete BEFORE DELETE ON audit_keys
WHEN NOT EXISTS (SELECT 1 FROM audit_log_destructions d WHERE d.log_id = OLD.log_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_keys is append-only');
END;
DROP TRIGGER audit_checkpoints_no_delete;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
WHEN NOT EXISTS (SELECT 1 FROM audit_log_destructions d WHERE d.log_id = OLD.log_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
