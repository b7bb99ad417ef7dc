-- Per pipeline, the latest moment its applied position was known to be the source's WAL end (or beyond it):
-- a silo that starts while the pipeline is behind reports its lag from here rather than from its own start.
-- Monitoring only: a stale or missing row never affects what is replicated.
CREATE TABLE IF NOT EXISTS sentinel.pipeline_wal_mark (
    pipeline  text        PRIMARY KEY,
    wal_end   numeric(20) NOT NULL,
    seen_at   timestamptz NOT NULL
);
