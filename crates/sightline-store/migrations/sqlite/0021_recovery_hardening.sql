-- Recovery and enumeration (issue 15): a temporary password waits beside
-- the account's password instead of replacing it, and a username that
-- names no account counts failed logons and locks like one that does.
-- Names are kept only as a keyed hash (they are often mistyped passwords).
ALTER TABLE users ADD COLUMN temp_password_hash TEXT;
CREATE TABLE unknown_login_failures (
    name_key TEXT PRIMARY KEY,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX unknown_login_failures_by_age ON unknown_login_failures (updated_at);
-- A decoy challenge remembers its name's key, so a wrong answer counts
-- toward that name's lockout as it would toward an account's.
ALTER TABLE recovery_challenges ADD COLUMN name_key TEXT;
