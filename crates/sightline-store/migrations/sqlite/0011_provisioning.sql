-- Provisioning (R2.2, R2.4, R2.7): access request forms, registration keys,
-- security questions, password recovery with temporary passwords.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN temp_password_expires_at BIGINT;
CREATE TABLE access_requests (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    aor_id BIGINT,
    program_id BIGINT,
    username TEXT NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    requested_role TEXT NOT NULL,
    justification TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    scan_blob TEXT,
    status TEXT NOT NULL,
    submitted_by BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL,
    decided_by BIGINT,
    decided_at BIGINT,
    decision_note TEXT,
    user_id BIGINT
);
CREATE INDEX access_requests_by_agency ON access_requests (agency_id, status);
CREATE TABLE registration_keys (
    key_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE security_answers (
    user_id BIGINT NOT NULL REFERENCES users(id),
    question TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, question)
);
CREATE TABLE recovery_challenges (
    id TEXT PRIMARY KEY,
    user_id BIGINT,
    question TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
