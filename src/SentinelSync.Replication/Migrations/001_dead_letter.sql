-- Changes a sink could not apply (permanent errors), and changes of the same key that queued behind them.
-- Kept until replayed or discarded; nothing is ever dropped silently.
CREATE TABLE IF NOT EXISTS sentinel.dead_letter (
    id            bigserial   PRIMARY KEY,
    pipeline      text        NOT NULL,
    sink          text        NOT NULL,
    source_table  text        NOT NULL,
    row_key       text        NOT NULL,
    position_lsn  numeric(20) NOT NULL,
    position_ord  bigint      NOT NULL,
    change        jsonb       NOT NULL,
    error_type    text        NOT NULL,
    error         text        NOT NULL,
    attempts      integer     NOT NULL,
    failed_at     timestamptz NOT NULL DEFAULT now(),
    status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replayed', 'discarded')),
    resolved_at   timestamptz
);

CREATE INDEX IF NOT EXISTS dead_letter_pending ON sentinel.dead_letter (pipeline, sink, source_table, position_lsn, position_ord) WHERE status = 'pending';
