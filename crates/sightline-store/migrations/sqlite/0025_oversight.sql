-- Oversight (issue 16): the agency's case-reference rule, review sampling
-- and misuse-flag settings (one JSON document per agency, validated by the
-- server before it is stored), its professional-responsibility contacts,
-- an index of its own query log for the flags, and the review queue.
CREATE TABLE oversight_settings (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies(id),
    settings TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE pr_contacts (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    email TEXT NOT NULL,
    PRIMARY KEY (agency_id, email)
);
-- One row per logged query (`query.run`), written with it: who, when,
-- how many reads it found, and keyed digests (HMAC under a key derived
-- from the master key) of the plate and the case reference, so the flags
-- can count "same plate" and "same case" without either in clear.
CREATE TABLE oversight_queries (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    plate_digest TEXT NOT NULL,
    case_digest TEXT NOT NULL,
    result_count BIGINT NOT NULL,
    PRIMARY KEY (agency_id, seq)
);
-- The digests lead their indexes (they are bound to the agency already),
-- so a planner without statistics cannot take them for the user's index.
CREATE INDEX oversight_queries_user ON oversight_queries (agency_id, user_id, at);
CREATE INDEX oversight_queries_case ON oversight_queries (case_digest, at);
CREATE INDEX oversight_queries_plate ON oversight_queries (plate_digest, user_id, at);
-- The review queue. The reviewer's note is not here: it is sealed in the
-- `review.decided` audit entry (`review_seq`), like every sensitive field.
CREATE TABLE review_items (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    query_seq BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    aor_id BIGINT,
    queued_at BIGINT NOT NULL,
    sampled BIGINT NOT NULL,
    flags TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewer_id BIGINT,
    reviewed_at BIGINT,
    review_seq BIGINT,
    incident_id BIGINT,
    UNIQUE (agency_id, query_seq)
);
CREATE INDEX review_items_queue ON review_items (agency_id, status, queued_at);
