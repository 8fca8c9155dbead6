-- What the operator may see of a misread report (issue 15): a structured
-- kind and, for a plate read wrongly, the plate as the photo shows it.
-- The reporter's free-text note stays in the agency's own (sealed) audit
-- log; rows keep an empty note from now on.
ALTER TABLE misread_reports ADD COLUMN photo_plate TEXT;
UPDATE misread_reports SET note = '';
