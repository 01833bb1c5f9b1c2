-- The colleague named to cover an absence (AdviserAbsenceRecorded v2): the absent adviser's
-- open cases go to them when it begins, if they can take them; null: back to their queues.
ALTER TABLE absences ADD COLUMN covered_by text;
