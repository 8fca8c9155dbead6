-- Reads the operator confirmed as misreads (R3.9, R6.2). A suppressed read
-- leaves the results of queries run after its suppression; replays of
-- earlier queries still show it, as their users saw it.
CREATE TABLE read_suppressions (
    read_id BIGINT PRIMARY KEY,
    suppressed_at BIGINT NOT NULL,
    reason TEXT NOT NULL
);
