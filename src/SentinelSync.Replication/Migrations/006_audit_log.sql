-- Every state-changing call of the admin API (and every refused one): who by token id, never the token, what,
-- with which arguments (secrets masked), the result, when, and on which silo. Read by `sentinel audit` and GET /api/audit.
CREATE TABLE IF NOT EXISTS sentinel.audit_log (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    silo       text        NOT NULL,
    token_id   text        NOT NULL,
    role       text        NOT NULL,
    action     text        NOT NULL,
    arguments  jsonb,
    status     integer     NOT NULL,
    result     text        NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_log_at ON sentinel.audit_log (at);
