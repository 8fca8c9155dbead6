-- Security contacts and incident notices (R5.7).
CREATE TABLE security_contacts (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    email TEXT NOT NULL,
    PRIMARY KEY (agency_id, email)
);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    detail TEXT NOT NULL,
    raised_at BIGINT NOT NULL
);
