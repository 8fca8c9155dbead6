-- Key handling (issue 15). Every key and secret at rest is sealed with
-- AES-256-GCM under keys derived (HKDF-SHA256) from the master key; see
-- src/keyring.rs. The key check identifies the master key the data was
-- sealed under, so a start with another key is refused instead of
-- corrupting. Keys now record their wrapping; existing rows (`legacy`:
-- unwrapped or `sha256-xor-v1`, unknown which) are rewrapped at start.
CREATE TABLE key_check (
    id BIGINT PRIMARY KEY,
    check_value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE audit_field_keys ADD COLUMN wrapping TEXT NOT NULL DEFAULT 'legacy';
ALTER TABLE device_key_secret ADD COLUMN wrapping TEXT NOT NULL DEFAULT 'none';
-- A signing key's identity stays append-only; its wrapping may be renewed.
DROP TRIGGER audit_keys_no_update;
CREATE TRIGGER audit_keys_no_update BEFORE UPDATE OF log_id, key_name, public_key, created_at ON audit_keys
BEGIN
    SELECT RAISE(ABORT, 'audit_keys is append-only');
END;
