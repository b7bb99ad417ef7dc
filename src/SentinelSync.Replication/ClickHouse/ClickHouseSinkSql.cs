namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// The ClickHouse sink's fixed SQL: control-database statements (Postgres, parameters) and ClickHouse templates
/// whose <c>{0}</c>, <c>{1}</c>, … are identifiers quoted by <see cref="ClickHouseIdentifier"/>, type names from
/// <see cref="ClickHouseTypeMapping"/>, or literals from <see cref="ClickHouseEscaping"/>. All of it checked against 18.16.
/// </summary>
internal static class ClickHouseSinkSql
{
    public const string CreateControlTables = """
        SELECT pg_advisory_xact_lock(hashtextextended('sentinel:clickhouse-control-tables', 0));
        CREATE SCHEMA IF NOT EXISTS sentinel;
        CREATE TABLE IF NOT EXISTS sentinel.clickhouse_offsets (
            sink         text        NOT NULL,
            source_table text        NOT NULL,
            lsn          pg_lsn      NOT NULL,
            ordinal      bigint      NOT NULL,
            epoch        bigint      NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sink, source_table)
        );
        CREATE TABLE IF NOT EXISTS sentinel.clickhouse_table_schemas (
            target_table text        PRIMARY KEY,
            version      integer     NOT NULL,
            columns      jsonb       NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        );
        """;

    public const string SelectOffsetForUpdate = """
        SELECT lsn, ordinal, epoch, updated_at FROM sentinel.clickhouse_offsets
        WHERE sink = $1 AND source_table = $2
        FOR UPDATE
        """;

    /// <summary>Snapshot copies of one table run concurrently: each holds the offset row shared, a takeover waits for them.</summary>
    public const string SelectOffsetForShare = """
        SELECT lsn, ordinal, epoch, updated_at FROM sentinel.clickhouse_offsets
        WHERE sink = $1 AND source_table = $2
        FOR SHARE
        """;

    public const string SelectOffset = """
        SELECT lsn, ordinal, epoch, updated_at FROM sentinel.clickhouse_offsets
        WHERE sink = $1 AND source_table = $2
        """;

    public const string InsertOffsetIfMissing = """
        INSERT INTO sentinel.clickhouse_offsets (sink, source_table, lsn, ordinal, epoch)
        VALUES ($1, $2, '0/0', 0, 0)
        ON CONFLICT (sink, source_table) DO NOTHING
        """;

    /// <summary>The epoch fence is the row lock taken by <see cref="SelectOffsetForUpdate"/> plus the check before the insert.</summary>
    public const string UpdateOffset = """
        UPDATE sentinel.clickhouse_offsets
        SET lsn = $3, ordinal = $4, epoch = $5, updated_at = now()
        WHERE sink = $1 AND source_table = $2
        """;

    public const string SelectTableSchema = "SELECT version, columns::text FROM sentinel.clickhouse_table_schemas WHERE target_table = $1";

    public const string UpsertTableSchema = """
        INSERT INTO sentinel.clickhouse_table_schemas (target_table, version, columns) VALUES ($1, $2, $3::jsonb)
        ON CONFLICT (target_table) DO UPDATE SET version = excluded.version, columns = excluded.columns, updated_at = now()
        """;

    public const string LockTargetTable = "SELECT pg_advisory_xact_lock(hashtextextended('sentinel:clickhouse-table:' || $1, 0))";

    public const string VersionColumn = "_version";

    public const string DeletedColumn = "_deleted";

    public const string CreateDatabaseTemplate = "CREATE DATABASE IF NOT EXISTS {0}";

    /// <summary>{0} table, {1} column definitions, {2} version column, {3} ORDER BY key list.</summary>
    public const string CreateReplacingTableTemplate = "CREATE TABLE IF NOT EXISTS {0} ({1}) ENGINE = ReplacingMergeTree({2}) ORDER BY ({3})";

    /// <summary>Keyless tables are insert-only: a plain MergeTree without sorting key.</summary>
    public const string CreateKeylessTableTemplate = "CREATE TABLE IF NOT EXISTS {0} ({1}) ENGINE = MergeTree ORDER BY tuple()";

    /// <summary>{0} table, {1} column, {2} type. 18.16 has no ADD COLUMN IF NOT EXISTS: existing columns are read first.</summary>
    public const string AddColumnTemplate = "ALTER TABLE {0} ADD COLUMN {1} {2}";

    /// <summary>18.16 has no RENAME COLUMN: the new name is added with the old column as its DEFAULT, so old rows read through.</summary>
    public const string AddRenamedColumnTemplate = "ALTER TABLE {0} ADD COLUMN {1} {2} DEFAULT {3}";

    public const string DropColumnTemplate = "ALTER TABLE {0} DROP COLUMN {1}";

    public const string ModifyColumnTemplate = "ALTER TABLE {0} MODIFY COLUMN {1} {2}";

    public const string TruncateTemplate = "TRUNCATE TABLE {0}";

    /// <summary>{0} literal database name, {1} literal table name.</summary>
    public const string SelectColumnsTemplate = "SELECT name, type FROM system.columns WHERE database = {0} AND table = {1} FORMAT TabSeparated";

    /// <summary>{0} columns, {1} table.</summary>
    public const string InsertTemplate = "INSERT INTO {0} ({1}) FORMAT TabSeparated";

    /// <summary>{0} columns, {1} table, {2} key tuple, {3} key literals. Filtering on _deleted happens after FINAL, client-side.</summary>
    public const string SelectLastRowsTemplate = "SELECT {0} FROM {1} FINAL WHERE ({2}) IN ({3}) FORMAT TabSeparated";
}
