-- OpenALPR / Rekor agents (issue 17).
-- Where a source's agent serves its photos: registered by the operator,
-- the only host Sightline ever fetches from for that source. The password
-- is kept like the other credentials Sightline must present in clear
-- (never returned by the API, never logged).
CREATE TABLE source_agents (
    source_id BIGINT PRIMARY KEY REFERENCES sources(id),
    base_url TEXT NOT NULL,
    username TEXT,
    password TEXT,
    updated_at BIGINT NOT NULL
);
-- Reads acknowledged without their photos, waiting for the agent (R1.2:
-- a read is not stored without both). Never queried or matched: they are
-- not in the read store until both photos are. One per source read id.
CREATE TABLE pending_photos (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES sources(id),
    source_read_id TEXT NOT NULL,
    body TEXT NOT NULL,
    vehicle_photo TEXT,
    plate_photo TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (source_id, source_read_id)
);
CREATE INDEX pending_photos_due ON pending_photos (next_attempt_at);
-- Agents' heartbeats: the last one per source, and when a silence was noticed.
CREATE TABLE source_health (
    source_id BIGINT PRIMARY KEY REFERENCES sources(id),
    agent_uid TEXT,
    hostname TEXT,
    last_seen_at BIGINT NOT NULL,
    streams TEXT NOT NULL,
    silent_since BIGINT
);
