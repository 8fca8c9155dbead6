-- Per-agency, per-month data keys (`year` holds the period as YYYYMM) for the audit log's sensitive fields
-- (plate, case reference, notes, on-behalf-of name). Destroying a key
-- (R5.6 retention, R6.1 contract end) shreds those fields in every copy of
-- the database, backups included; the hashes commit to the ciphertext, so
-- the log still verifies.
CREATE TABLE audit_field_keys (
    agency_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    wrapped TEXT NOT NULL,
    salt TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    destroyed_at BIGINT,
    PRIMARY KEY (agency_id, year)
);
