-- The audit logs' signing keys (one Ed25519 key per log, the secret wrapped
-- under the deployment's master key when one is configured) and their
-- signed checkpoints. Both append-only, like the entries (R5.4).
CREATE TABLE audit_keys (
    log_id TEXT PRIMARY KEY,
    key_name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    wrapping TEXT NOT NULL,
    salt TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE audit_checkpoints (
    log_id TEXT NOT NULL,
    tree_size BIGINT NOT NULL,
    root_hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (log_id, tree_size)
);
CREATE TRIGGER audit_keys_no_update BEFORE UPDATE ON audit_keys
BEGIN
    SELECT RAISE(ABORT, 'audit_keys is append-only');
END;
CREATE TRIGGER audit_keys_no_delete BEFORE DELETE ON audit_keys
BEGIN
    SELECT RAISE(ABORT, 'audit_keys is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
