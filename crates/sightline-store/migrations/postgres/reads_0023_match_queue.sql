-- Reads committed but not yet matched against the alert lists (issue 15):
-- written in the insert's own transaction, so a crash after the ingest
-- response loses no matching; the matcher deletes a row once the read's
-- hits are recorded. `claimed_until` (microseconds, injected clock) lets
-- one node's matcher hold rows while another's would skip them.
CREATE TABLE match_queue (
    read_id BIGINT PRIMARY KEY,
    claimed_until BIGINT NOT NULL DEFAULT 0
);
