-- The public transparency page (beyond the seed): an agency's managers
-- choose to publish its aggregates. 0 or 1; the row goes with the agency.
ALTER TABLE agencies ADD COLUMN transparency_published BIGINT NOT NULL DEFAULT 0;
