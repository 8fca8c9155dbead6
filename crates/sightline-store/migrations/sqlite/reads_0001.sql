-- The read store (embedded): its own database file so that bulk ingest never
-- holds the lock that audit appends need.
CREATE TABLE reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id BIGINT NOT NULL,
    source_read_id TEXT NOT NULL,
    plate TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    collected_in TEXT NOT NULL,
    captured_at BIGINT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    nearest_address TEXT NOT NULL,
    nearest_intersection TEXT NOT NULL,
    vehicle_photo TEXT NOT NULL,
    plate_photo TEXT NOT NULL,
    ingested_at BIGINT NOT NULL,
    UNIQUE (source_id, source_read_id)
);
CREATE INDEX reads_by_plate ON reads (plate, jurisdiction, captured_at);
CREATE INDEX reads_by_collection ON reads (collected_in, captured_at);
