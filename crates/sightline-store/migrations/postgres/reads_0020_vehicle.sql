-- The camera's vehicle analysis (make, model, colour... with confidences),
-- as JSON; NULL when the source sent none. Shown with the read, never an
-- index or a search key (R3.1).
ALTER TABLE reads ADD COLUMN vehicle TEXT;
