-- The per-deployment secret from which the web app's on-device storage keys
-- are derived (one row, id 1). Created on first use by whichever node gets
-- there first (insert-if-absent, then read), so every node derives the same
-- keys.
CREATE TABLE device_key_secret (
    id BIGINT PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
