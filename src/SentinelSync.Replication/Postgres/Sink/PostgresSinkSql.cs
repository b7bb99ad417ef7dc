namespace SentinelSync.Replication.Postgres;

/// <summary>
/// The sink's fixed SQL. Statements that name a replicated table are assembled from the templates at the end
/// with identifiers quoted by <see cref="PostgresIdentifier"/>; values are always parameters or COPY data.
/// </summary>
internal static class PostgresSinkSql
{
    /// <summary>Serialises concurrent first starts: CREATE … IF NOT EXISTS races on the catalog otherwise.</summary>
    public const string CreateControlTables = """
        SELECT pg_advisory_xact_lock(hashtextextended('sentinel:sink-control-tables', 0));
        CREATE SCHEMA IF NOT EXISTS "_sentinel";
        CREATE TABLE IF NOT EXISTS "_sentinel".offsets (
            sink             text        NOT NULL,
            source_table     text        NOT NULL,
            position_lsn     pg_lsn      NOT NULL,
            position_ordinal bigint      NOT NULL,
            epoch            bigint      NOT NULL,
            updated_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sink, source_table)
        );
        CREATE TABLE IF NOT EXISTS "_sentinel".table_schemas (
            target_table text        PRIMARY KEY,
            version      integer     NOT NULL,
            columns      jsonb       NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS "_sentinel".snapshot_copies (
            sink             text   NOT NULL,
            source_table     text   NOT NULL,
            position_lsn     pg_lsn NOT NULL,
            position_ordinal bigint NOT NULL,
            PRIMARY KEY (sink, source_table, position_lsn, position_ordinal)
        );
        CREATE TABLE IF NOT EXISTS "_sentinel".pending_keys (
            target_table text   PRIMARY KEY,
            key_columns  text[] NOT NULL
        );
        """;

    /// <summary>Copies of one table run concurrently: each holds the offset row shared, a takeover waits for them.</summary>
    public const string SelectOffsetForShare = """
        SELECT position_lsn, position_ordinal, epoch, updated_at FROM "_sentinel".offsets
        WHERE sink = $1 AND source_table = $2
        FOR SHARE
        """;

    /// <summary>Marks a copy ($3, $4: its first row's position) applied, in its transaction; no row when it already was.</summary>
    public const string MarkCopyApplied = """
        INSERT INTO "_sentinel".snapshot_copies (sink, source_table, position_lsn, position_ordinal) VALUES ($1, $2, $3, $4)
        ON CONFLICT DO NOTHING
        """;

    public const string ForgetCopies = """DELETE FROM "_sentinel".snapshot_copies WHERE sink = $1 AND source_table = $2""";

    /// <summary>A table created without its primary key for a snapshot load ($1 quoted name, $2 key column names).</summary>
    public const string InsertPendingKey = """
        INSERT INTO "_sentinel".pending_keys (target_table, key_columns) VALUES ($1, $2)
        ON CONFLICT (target_table) DO UPDATE SET key_columns = excluded.key_columns
        """;

    public const string SelectPendingKey = """SELECT key_columns FROM "_sentinel".pending_keys WHERE target_table = $1""";

    public const string DeletePendingKey = """DELETE FROM "_sentinel".pending_keys WHERE target_table = $1""";

    /// <summary>Room for the key's sort in memory (the server default, 64 MB, spills a few million keys to disk).</summary>
    public const string KeyBuildMemory = "SET LOCAL maintenance_work_mem = '256MB'";

    public const string SelectOffsetForUpdate = """
        SELECT position_lsn, position_ordinal, epoch, updated_at FROM "_sentinel".offsets
        WHERE sink = $1 AND source_table = $2
        FOR UPDATE
        """;

    /// <summary>
    /// Moves an offset row from the exact state this sink left it in ($5 epoch, $6 LSN, $7 ordinal) to $3, $4, locking it
    /// as an UPDATE does; when the row is in any other state nothing matches and the division fails the transaction
    /// (22012), which the sink reads as "read the row first". Postgres has no RAISE outside PL/pgSQL.
    /// </summary>
    public const string AdvanceKnownOffset = """
        WITH advanced AS (
            UPDATE "_sentinel".offsets SET position_lsn = $3, position_ordinal = $4, updated_at = now()
            WHERE sink = $1 AND source_table = $2 AND epoch = $5 AND position_lsn = $6 AND position_ordinal = $7
            RETURNING 1)
        SELECT 1 / count(*)::integer FROM advanced
        """;

    public const string SelectOffset = """
        SELECT position_lsn, position_ordinal, epoch, updated_at FROM "_sentinel".offsets
        WHERE sink = $1 AND source_table = $2
        """;

    /// <summary>A first batch creates the row (epoch 0, position zero) and then locks it like any other.</summary>
    public const string InsertOffsetIfMissing = """
        INSERT INTO "_sentinel".offsets (sink, source_table, position_lsn, position_ordinal, epoch)
        VALUES ($1, $2, '0/0', 0, 0)
        ON CONFLICT (sink, source_table) DO NOTHING
        """;

    public const string UpdateOffset = """
        UPDATE "_sentinel".offsets
        SET position_lsn = $3, position_ordinal = $4, epoch = $5, updated_at = now()
        WHERE sink = $1 AND source_table = $2
        """;

    public const string SelectTableSchema = """
        SELECT version, columns::text FROM "_sentinel".table_schemas WHERE target_table = $1
        """;

    public const string UpsertTableSchema = """
        INSERT INTO "_sentinel".table_schemas (target_table, version, columns) VALUES ($1, $2, $3::jsonb)
        ON CONFLICT (target_table) DO UPDATE SET version = excluded.version, columns = excluded.columns, updated_at = now()
        """;

    /// <summary>Schema changes of one target table happen one at a time, whichever sink makes them.</summary>
    public const string LockTargetTable = "SELECT pg_advisory_xact_lock(hashtextextended('sentinel:table:' || $1, 0))";

    /// <summary>$1: the quoted, qualified table name. Live columns in attribute order.</summary>
    public const string SelectDestinationColumns = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
        FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    /// <summary>$1: the quoted, qualified table name. Primary key columns in key order.</summary>
    public const string SelectDestinationPrimaryKey = """
        SELECT a.attname
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = to_regclass($1) AND i.indisprimary
        ORDER BY k.ord
        """;

    public const string TableExists = "SELECT to_regclass($1) IS NOT NULL";

    /// <summary>Raises a syntax error for anything that is not a single type name, which guards the DDL below.</summary>
    public const string TypeExists = "SELECT to_regtype($1) IS NOT NULL";

    public const string StagingTable = "pg_temp.\"_sentinel_stage\"";

    public const string StagingGroupColumn = "__sentinel_group";

    // Templates: {0}, {1}, … are quoted identifiers or lists of them, or type names checked with TypeExists.
    public const string CreateSchemaTemplate = "CREATE SCHEMA IF NOT EXISTS {0}";
    public const string CreateTableTemplate = "CREATE TABLE {0} ({1})";
    public const string AddColumnTemplate = "ALTER TABLE {0} ADD COLUMN {1} {2}";
    public const string DropColumnTemplate = "ALTER TABLE {0} DROP COLUMN {1}";
    public const string DropNotNullTemplate = "ALTER TABLE {0} ALTER COLUMN {1} DROP NOT NULL";
    public const string RenameColumnTemplate = "ALTER TABLE {0} RENAME COLUMN {1} TO {2}";
    public const string AlterColumnTypeTemplate = "ALTER TABLE {0} ALTER COLUMN {1} TYPE {2} USING {1}::text::{2}";
    public const string TruncateTemplate = "TRUNCATE {0}";
    public const string AddPrimaryKeyTemplate = "ALTER TABLE {0} ADD PRIMARY KEY ({1})";

    /// <summary>Staging with the destination's exact column types and no constraints ({0} group column, {1} columns, {2} target).</summary>
    public const string CreateStagingTemplate = "CREATE TEMP TABLE " + StagingTable + " ON COMMIT DROP AS SELECT NULL::integer AS {0}, {1} FROM {2} WITH NO DATA";
    public const string DropStaging = "DROP TABLE " + StagingTable;
    public const string CopyStagingTemplate = "COPY " + StagingTable + " ({0}) FROM STDIN";

    /// <summary>{0} target, {1} column list.</summary>
    public const string CopyTargetTemplate = "COPY {0} ({1}) FROM STDIN";

    /// <summary>{0} target, {1} key match <c>t."k" = s."k" AND …</c>.</summary>
    public const string DeleteFromStagingTemplate = "DELETE FROM {0} AS t USING " + StagingTable + " AS s WHERE s.\"" + StagingGroupColumn + "\" = $1 AND {1}";

    /// <summary>{0} target, {1} columns, {2} conflict action (<c>ON CONFLICT (…) DO UPDATE SET …</c> or empty).</summary>
    public const string InsertFromStagingTemplate = "INSERT INTO {0} ({1}) SELECT {1} FROM " + StagingTable + " WHERE \"" + StagingGroupColumn + "\" = $1 {2}";

    /// <summary>{0} target, {1} assignments <c>"c" = s."c", …</c>, {2} key match.</summary>
    public const string UpdateFromStagingTemplate = "UPDATE {0} AS t SET {1} FROM " + StagingTable + " AS s WHERE s.\"" + StagingGroupColumn + "\" = $1 AND {2}";

    /// <summary>{0} target, {1} assignments <c>"c" = $n</c>, {2} key match <c>"k" = $m</c>.</summary>
    public const string MoveRowTemplate = "UPDATE {0} SET {1} WHERE {2}";
}
