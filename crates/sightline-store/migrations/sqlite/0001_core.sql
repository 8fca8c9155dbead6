-- Tenancy, identity, sources and policy. Times are microseconds since the
-- Unix epoch (BIGINT) so that both backends agree byte for byte.
CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    seat_cap BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE programs (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE TABLE reason_codes (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    program_id BIGINT NOT NULL REFERENCES programs(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    max_days BIGINT NOT NULL,
    UNIQUE (program_id, code)
);
CREATE TABLE aors (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    UNIQUE (agency_id, name)
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT REFERENCES agencies(id),
    aor_id BIGINT REFERENCES aors(id),
    program_id BIGINT REFERENCES programs(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    agency_id BIGINT,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    place TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE source_keys (
    id INTEGER PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES sources(id),
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE TABLE cameras (
    source_id BIGINT NOT NULL REFERENCES sources(id),
    camera_id TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    nearest_address TEXT NOT NULL,
    nearest_intersection TEXT NOT NULL,
    PRIMARY KEY (source_id, camera_id)
);
CREATE TABLE collection_policies (
    jurisdiction TEXT PRIMARY KEY,
    collection_allowed BIGINT NOT NULL,
    retention_secs BIGINT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
