-- Identity and access (R2): lockout, TOTP, consent to the rules of behavior,
-- training records and terminations.
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enrolled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE sessions ADD COLUMN mfa_verified_at BIGINT;
ALTER TABLE sessions ADD COLUMN consented_version BIGINT;
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
CREATE TABLE rules_of_behavior (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by BIGINT,
    PRIMARY KEY (agency_id, version)
);
CREATE TABLE training_records (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    course TEXT NOT NULL,
    completed_at BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    recorded_by BIGINT,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX training_by_user ON training_records (user_id, completed_at);
CREATE TABLE terminations (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    requested_by BIGINT,
    requested_at BIGINT NOT NULL,
    completed_at BIGINT NOT NULL,
    reason TEXT NOT NULL
);
