-- Orleans cluster membership (Microsoft.Orleans.Clustering.AdoNet, invariant "Npgsql").
-- Written for this project from the provider's contract (query keys, @parameters, result columns); the
-- provider ships no SQL. Everything lives in schema "orleans": the clustering connection string sets
-- "Search Path=orleans" because the provider loads its queries with the fixed, unqualified statement
--   SELECT QueryKey, QueryText FROM OrleansQuery
-- The stored queries themselves qualify every name, so they do not depend on the search path.
--
-- Contract notes:
--  * Status is Orleans' SiloStatus as an integer: 0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown,
--    5 Stopping, 6 Dead.
--  * The provider binds DateTimes of kind Utc (timestamptz) and ints (int4); it reads result columns by
--    name, case-insensitively, so snake_case columns are aliased to the names it expects.
--  * Every read returns the table version in the same statement (one snapshot). Inserts and updates of a
--    silo row are a compare-and-swap on that version: @Version is the version the caller read (the etag of
--    its snapshot); the write succeeds and moves the version to @Version + 1 only if nobody moved it since.
--    Of concurrent writers exactly one wins (the version row's lock serialises them, and the loser re-checks
--    the condition against the committed row); the others get false, re-read and retry.
--  * I-am-alive heartbeats are not versioned (they only touch the silo's own row).

CREATE SCHEMA IF NOT EXISTS orleans;

-- Query text per key, read once when a silo or client initialises the provider. Unquoted names: Postgres
-- folds "OrleansQuery"/"QueryKey"/"QueryText" to these lower-case ones.
CREATE TABLE IF NOT EXISTS orleans.orleansquery (
    querykey  text PRIMARY KEY,
    querytext text NOT NULL
);

-- One version row per cluster (Orleans' ClusterId, bound as @DeploymentId). Its row lock serialises all
-- versioned membership writes of that cluster.
CREATE TABLE IF NOT EXISTS orleans.membership_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation: a restarted silo has a new generation, so it gets a new row; the old one
-- is marked Dead by the cluster and deleted later by the defunct-entry cleanup.
CREATE TABLE IF NOT EXISTS orleans.membership_silo (
    deployment_id   text        NOT NULL REFERENCES orleans.membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL CHECK (status BETWEEN 0 AND 6),
    proxy_port      integer     NOT NULL DEFAULT 0, -- 0: the silo has no gateway endpoint
    suspect_times   text,                           -- "<silo>,<time>|..." as formatted by Orleans
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- ON CONFLICT DO UPDATE: a later migration may correct a query by re-running its row.
INSERT INTO orleans.orleansquery (querykey, querytext) VALUES

-- Ensure the cluster's version row exists (every silo tries at start). One row, one boolean: inserted?
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans.membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

-- All silos with the version. The LEFT JOIN returns one row with a null StartTime when the cluster has
-- no silo yet: the provider needs the version even then.
('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
FROM orleans.membership_version v
LEFT JOIN orleans.membership_silo s ON s.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

-- One silo with the version; same shape and same null-row rule as above.
('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       s.address         AS "Address",
       s.port            AS "Port",
       s.generation      AS "Generation",
       s.silo_name       AS "SiloName",
       s.host_name       AS "HostName",
       s.status          AS "Status",
       s.proxy_port      AS "ProxyPort",
       s.suspect_times   AS "SuspectTimes",
       s.start_time      AS "StartTime",
       s.i_am_alive_time AS "IAmAliveTime"
FROM orleans.membership_version v
LEFT JOIN orleans.membership_silo s
       ON s.deployment_id = v.deployment_id
      AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

-- Join: add a silo row iff the version is still @Version and the row is new. The version moves only
-- together with the insert: a duplicate key fails the whole statement, bump included.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans.membership_version v
       SET version = v.version + 1, updated_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND NOT EXISTS (SELECT 1 FROM orleans.membership_silo s
                        WHERE s.deployment_id = @DeploymentId
                          AND s.address = @Address AND s.port = @Port AND s.generation = @Generation)
    RETURNING v.deployment_id
), added AS (
    INSERT INTO orleans.membership_silo
           (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
            start_time, i_am_alive_time)
    SELECT b.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
      FROM bumped b
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM added)
$q$),

-- Status change or suspicion vote: update the row iff the version is still @Version.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE orleans.membership_version v
       SET version = v.version + 1, updated_at = now()
     WHERE v.deployment_id = @DeploymentId
       AND v.version = @Version
       AND EXISTS (SELECT 1 FROM orleans.membership_silo s
                    WHERE s.deployment_id = @DeploymentId
                      AND s.address = @Address AND s.port = @Port AND s.generation = @Generation)
    RETURNING v.deployment_id
), changed AS (
    UPDATE orleans.membership_silo s
       SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
      FROM bumped b
     WHERE s.deployment_id = b.deployment_id
       AND s.address = @Address AND s.port = @Port AND s.generation = @Generation
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM changed)
$q$),

-- Heartbeat: unversioned by design (it must not make other writers' compare-and-swap fail).
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans.membership_silo
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId
   AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- Gateways for clients: Active silos (@Status = 3) that have a gateway port.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM orleans.membership_silo
 WHERE deployment_id = @DeploymentId
   AND status = @Status
   AND proxy_port > 0
$q$),

-- Drop a whole cluster's membership (the silo rows go by ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans.membership_version
 WHERE deployment_id = @DeploymentId
$q$),

-- Defunct-entry cleanup (@IAmAliveTime is the cut-off): Dead silos not started nor heard of since. Orleans
-- also counts suspect-vote times, which sit in the text column; they follow the last heartbeat by only the
-- failure-detection time. Not versioned: the rows are Dead for everyone already, removing them changes
-- no silo's view of the live cluster (Orleans' in-memory table does not version this either).
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans.membership_silo
 WHERE deployment_id = @DeploymentId
   AND status = 6
   AND i_am_alive_time < @IAmAliveTime
   AND start_time < @IAmAliveTime
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
