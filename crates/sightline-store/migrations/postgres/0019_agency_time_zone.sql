-- An agency's time zone (R5.5): an IANA name, checked by the server
-- against its bundled time zone database before it is stored. Reports
-- reckon quarters and print times in it. Agencies onboarded before it
-- existed keep UTC, which is what their reports always used.
ALTER TABLE agencies ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
