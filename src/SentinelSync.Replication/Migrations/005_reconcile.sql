-- Reconcile runs (sentinel reconcile, the REST API, schedules): one row per run, its per-table results as JSON
-- (mismatched ranges and keys bounded to 100 each per table). A scheduled run carries the cron occurrence it is
-- for; the unique index makes an occurrence run once in the cluster, whichever silo's reminder fires.
CREATE TABLE IF NOT EXISTS sentinel.reconcile_run (
    id              text        PRIMARY KEY,
    pipeline        text        NOT NULL,
    mode            text        NOT NULL,
    repair          boolean     NOT NULL,
    trigger         text        NOT NULL CHECK (trigger IN ('manual', 'schedule')),
    scheduled_for   timestamptz,
    status          text        NOT NULL,
    silo            text        NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    rows_checked    bigint      NOT NULL DEFAULT 0,
    rows_estimated  bigint      NOT NULL DEFAULT 0,
    drift_rows      bigint      NOT NULL DEFAULT 0,
    repaired_rows   bigint      NOT NULL DEFAULT 0,
    request         jsonb       NOT NULL,
    tables          jsonb       NOT NULL DEFAULT '[]',
    error           text
);

CREATE INDEX IF NOT EXISTS reconcile_run_latest ON sentinel.reconcile_run (pipeline, started_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS reconcile_run_occurrence ON sentinel.reconcile_run (pipeline, scheduled_for) WHERE scheduled_for IS NOT NULL;

-- Orleans reminders (SentinelSync's IReminderTable on the control database): durable timers that fire on one
-- silo of the cluster and survive silo restarts. grain_hash is the grain's uint hash (ring ranges), etag a counter.
CREATE TABLE IF NOT EXISTS sentinel.reminder (
    grain_id        text        NOT NULL,
    reminder_name   text        NOT NULL,
    grain_hash      bigint      NOT NULL,
    start_at        timestamptz NOT NULL,
    period_ms       bigint      NOT NULL,
    etag            bigint      NOT NULL,
    PRIMARY KEY (grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS reminder_hash ON sentinel.reminder (grain_hash);
