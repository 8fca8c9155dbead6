-- Contract end (R6.1): an agency's offboarding, and the one sanctioned way
-- an audit log's rows may be deleted. A log can be destroyed only once its
-- destruction is recorded in audit_log_destructions (itself append-only);
-- the triggers refuse every other delete, update and truncate, as before.
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
CREATE TRIGGER audit_log_destructions_no_update BEFORE UPDATE OR DELETE ON audit_log_destructions
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_log_destructions_no_truncate BEFORE TRUNCATE ON audit_log_destructions
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log_destructions FROM PUBLIC;
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_log_destructions d WHERE d.log_id = OLD.log_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('audit_keys', 'audit_checkpoints')
       AND EXISTS (SELECT 1 FROM audit_log_destructions d WHERE d.log_id = OLD.log_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
