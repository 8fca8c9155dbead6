-- Alert lists (R4) and the notification outbox. Times are microseconds.
-- Expired and removed entries are deleted outright: only the audit log keeps
-- what they were (R4.7).
CREATE TABLE alert_lists (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (owner_id, name)
);
-- Named groups of users (case teams) that entries can notify.
CREATE TABLE alert_groups (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE TABLE alert_group_members (
    group_id BIGINT NOT NULL REFERENCES alert_groups(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, user_id)
);
CREATE TABLE alert_entries (
    id INTEGER PRIMARY KEY,
    list_id BIGINT NOT NULL REFERENCES alert_lists(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    plate TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    note TEXT NOT NULL,
    notify TEXT NOT NULL,
    group_id BIGINT REFERENCES alert_groups(id),
    valid_from BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    prompted_at BIGINT,
    expired_at BIGINT,
    -- The index version that last changed this row (see alert_index_version).
    changed_version BIGINT NOT NULL,
    UNIQUE (list_id, plate, jurisdiction, reason_code)
);
CREATE INDEX alert_entries_plate ON alert_entries (plate, jurisdiction);
CREATE INDEX alert_entries_expiry ON alert_entries (expires_at);
CREATE INDEX alert_entries_changed ON alert_entries (changed_version);
-- The case team of an entry whose notify scope is 'users'.
CREATE TABLE alert_entry_recipients (
    entry_id BIGINT NOT NULL REFERENCES alert_entries(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (entry_id, user_id)
);
-- Bumped first thing by every transaction that changes entries. The row
-- lock it takes serialises those transactions, so versions are handed out
-- in commit order and a node can fetch "everything after version N".
CREATE TABLE alert_index_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO alert_index_version (id, version) VALUES (1, 0);
-- Ids of deleted or removed entries, by the version that removed them, so
-- other nodes drop them from their index. Holds no entry data.
CREATE TABLE alert_entry_removals (
    entry_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE INDEX alert_entry_removals_version ON alert_entry_removals (version);
-- The in-app inbox: one row per (kind, read or renewal, entry, recipient). The entry id is
-- kept as a number only, so removing the entry leaves the alert readable.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL,
    ref_id BIGINT NOT NULL,
    entry_id BIGINT NOT NULL,
    recipient_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (kind, ref_id, entry_id, recipient_id)
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);
-- Transactional outbox for every email the service sends.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, next_attempt_at);
