-- Whether a dead letter holds the change as its sink's transforms left it (masked, excluded, renamed columns):
-- such an entry is replayed as stored, never masked twice; an entry stored before the sink had transforms is
-- transformed when it is replayed.
ALTER TABLE sentinel.dead_letter ADD COLUMN IF NOT EXISTS transformed boolean NOT NULL DEFAULT false;
