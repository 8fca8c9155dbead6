-- What an alert notification is about, copied from its entry when the row is
-- written, so the inbox lists plate, state and reason code without joining
-- the entries (the row goes with its entry, R4.7). NULL on rows from before
-- this migration.
ALTER TABLE notifications ADD COLUMN plate TEXT;
ALTER TABLE notifications ADD COLUMN state TEXT;
ALTER TABLE notifications ADD COLUMN reason_code TEXT;
