-- Misread reports (R3.9) and the operator's queue (R6.2). A report names the
-- read, never the query's purpose: the operator sees no agency query context.
CREATE TABLE misread_reports (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    reporter_id BIGINT NOT NULL REFERENCES users(id),
    read_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by BIGINT,
    resolution_note TEXT
);
CREATE INDEX misread_reports_open ON misread_reports (status, created_at);
