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
CREATE FUNCTION audit_keys_rewrap_only() RETURNS trigger AS $$
BEGIN
    IF NEW.log_id = OLD.log_id AND NEW.key_name = OLD.key_name
       AND NEW.public_key = OLD.public_key AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_keys is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER audit_keys_no_update ON audit_keys;
CREATE TRIGGER audit_keys_no_delete BEFORE DELETE ON audit_keys
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_keys_rewrap_only BEFORE UPDATE ON audit_keys
    FOR EACH ROW EXECUTE FUNCTION audit_keys_rewrap_only();
