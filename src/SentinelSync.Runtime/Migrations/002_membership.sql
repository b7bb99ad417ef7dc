-- Cluster membership: one row per silo name (a restarted silo replaces its row with a later started_at).
-- Rows are never deleted: a Dead row tells a paused or partitioned old incarnation that it must stop.
CREATE TABLE IF NOT EXISTS sentinel.silo (
    name           text        PRIMARY KEY,
    address        text        NOT NULL,
    started_at     timestamptz NOT NULL,
    status         text        NOT NULL CHECK (status IN ('Joining', 'Active', 'ShuttingDown', 'Dead')),
    last_heartbeat timestamptz NOT NULL,
    suspicions     jsonb       NOT NULL DEFAULT '[]',
    etag           bigint      NOT NULL
);

-- The membership table version: every insert or update of a silo row increments it in the same
-- transaction, conditioned on the version the writer read (compare-and-swap over the whole table).
-- Exactly one row: the primary key is a boolean that can only be true.
CREATE TABLE IF NOT EXISTS sentinel.membership_version (
    single  boolean PRIMARY KEY DEFAULT true CHECK (single),
    version bigint  NOT NULL
);

INSERT INTO sentinel.membership_version (single, version) VALUES (true, 0) ON CONFLICT DO NOTHING;
