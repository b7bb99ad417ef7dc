-- Grain leases: one row per fenced grain that was ever activated. Rows are never deleted so that the epoch
-- (the fencing token) only grows. Orleans places and activates grains; the lease is what makes a second,
-- briefly coexisting activation (Orleans' directory is eventually consistent) unable to write.
CREATE TABLE IF NOT EXISTS sentinel.grain_lease (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    silo        text        NOT NULL,
    epoch       bigint      NOT NULL,
    released    boolean     NOT NULL DEFAULT false,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key)
);

-- Grain state (Orleans IGrainStorage "sentinel"): JSON per (grain, state name), versioned by etag, written
-- under the lease epoch. jsonb so that operators can read a pipeline's state with plain SQL.
CREATE TABLE IF NOT EXISTS sentinel.grain_state (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    state_name  text        NOT NULL,
    payload     jsonb       NOT NULL,
    etag        bigint      NOT NULL,
    epoch       bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, state_name)
);
