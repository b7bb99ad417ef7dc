using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Copies a table as of an exported slot snapshot (<see cref="ExportedSlotSnapshot"/>): one connection per
/// table, a REPEATABLE READ transaction importing the snapshot, <c>COPY (SELECT ...) TO STDOUT</c> in text
/// format streamed line by line, rows handed out as <see cref="ChangeKind.Snapshot"/> changes at
/// <c>Position(consistentPoint, 0)</c> in batches of at most <see cref="BatchSize"/> rows. Memory stays at one
/// batch whatever the table size. Tables may be read in parallel (one call each); the exporting replication
/// connection must stay open meanwhile.
/// </summary>
public sealed partial class PostgresSnapshotReader
{
    /// <summary>Default rows per batch.</summary>
    public const int DefaultBatchSize = 10_000;

    private const string BeginSql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

    // The columns pgoutput publishes (not dropped, not generated) and which of them identify a row: the primary
    // key under REPLICA IDENTITY DEFAULT, the chosen index under INDEX, the primary key (or else every column)
    // under FULL, none under NOTHING. PgOutputDecoder applies the same rule, so both agree on keys.
    internal const string TableSchemaSql = """
        WITH rel AS (
            SELECT c.oid, c.relkind, c.relreplident
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')),
        pk AS (SELECT i.indkey::int2[] AS cols FROM pg_index i JOIN rel ON i.indrelid = rel.oid WHERE i.indisprimary),
        ri AS (SELECT i.indkey::int2[] AS cols FROM pg_index i JOIN rel ON i.indrelid = rel.oid WHERE i.indisreplident)
        SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.atttypid, rel.relkind = 'p',
               CASE rel.relreplident
                   WHEN 'd' THEN a.attnum = ANY (coalesce((SELECT cols FROM pk), '{}'))
                   WHEN 'i' THEN a.attnum = ANY (coalesce((SELECT cols FROM ri), '{}'))
                   WHEN 'f' THEN NOT EXISTS (SELECT 1 FROM pk) OR a.attnum = ANY (coalesce((SELECT cols FROM pk), '{}'))
                   ELSE false
               END,
               a.attnum::int
        FROM rel
        JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum
        """;

    /// <summary>
    /// Npgsql's read buffer for a range's COPY: Npgsql fills it from the socket in one receive, and Postgres sends a
    /// message per row (≈ 100 bytes), so its default 8 KiB would mean a socket receive, an await and a thread-pool
    /// hop every ≈ 80 rows; 1 MiB takes what the socket holds in one go.
    /// </summary>
    internal const int CopyReadBufferBytes = 1 << 20;

    private readonly string _connectionString;
    private readonly string _copyConnectionString;

    /// <summary>Creates a reader over the source database of <paramref name="connectionString"/>.</summary>
    public PostgresSnapshotReader(string connectionString, int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _connectionString = connectionString;
        _copyConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { ReadBufferSize = CopyReadBufferBytes }.ConnectionString;
        BatchSize = batchSize;
    }

    /// <summary>Maximum rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// The position of the <paramref name="row"/>-th row (from 1) of a snapshot copy: just below the slot's
    /// consistent point, so that every streamed change (commit LSN at or above it) comes after every snapshot
    /// row, with ordinals that grow row by row and jump with each <paramref name="attempt"/>, so that a copy
    /// restarted after a crash is not skipped as already applied.
    /// </summary>
    public static Position SnapshotPosition(ulong consistentPoint, int attempt, long row) =>
        new(consistentPoint - 1, ((long)attempt << 40) + row);

    /// <summary>
    /// Streams every row of <paramref name="table"/> as of <paramref name="snapshotName"/>. The schema (version
    /// 1) is read under the same snapshot. A restarted copy (<paramref name="attempt"/> above 1) starts with a
    /// truncate just below its first row, so that each destination ends exactly equal to this snapshot whatever an
    /// interrupted attempt wrote; otherwise an empty table yields nothing. Throws
    /// <see cref="PostgresException"/> when the snapshot is no longer importable (its exporting connection
    /// closed) and <see cref="InvalidOperationException"/> when the table does not exist in the snapshot.
    /// </summary>
    public async IAsyncEnumerable<ChangeBatch> ReadTableAsync(
        TableName table,
        string snapshotName,
        ulong consistentPoint,
        int attempt = 0,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!SnapshotNamePattern().IsMatch(snapshotName))
        {
            throw new ArgumentException($"'{snapshotName}' is not an exported snapshot name.", nameof(snapshotName));
        }

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, BeginSql, cancellationToken);

        // SET TRANSACTION SNAPSHOT takes a literal, not a parameter; the name was checked against the pattern above.
        await ExecuteAsync(connection, $"SET TRANSACTION SNAPSHOT '{snapshotName}'", cancellationToken);

        var (schema, isPartitioned) = await ReadSchemaAsync(connection, table, cancellationToken);
        var ordinal = 0L;
        var columns = string.Join(", ", schema.Columns.Select(c => PostgresIdentifier.Quote(c.Name)));

        // ONLY for ordinary tables: inheritance children are published under their own names. A partitioned
        // table is read whole, as publish_via_partition_root publishes its partitions' changes under its name.
        var from = (isPartitioned ? "" : "ONLY ") + PostgresIdentifier.Quote(table);
        var copy = $"COPY (SELECT {columns} FROM {from}) TO STDOUT";

        var batch = new List<RowChange>(Math.Min(BatchSize, 1024));
        if (attempt > 1)
        {
            // A restarted copy first clears what an interrupted attempt wrote (rows since deleted at the source,
            // or copied twice into a keyless table), in the same destination transaction as its first rows.
            batch.Add(new RowChange(ChangeKind.Truncate, SnapshotPosition(consistentPoint, attempt, 0), schema, []));
        }

        using (var reader = await connection.BeginTextExportAsync(copy, cancellationToken))
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                batch.Add(new RowChange(ChangeKind.Snapshot, SnapshotPosition(consistentPoint, attempt, ++ordinal), schema, CopyTextFormat.ParseRow(line, schema.Columns.Count)));
                if (batch.Count == BatchSize)
                {
                    yield return new ChangeBatch(table, batch, batch[^1].Position);
                    batch = new List<RowChange>(BatchSize);
                }
            }
        }

        if (batch.Count > 0)
        {
            yield return new ChangeBatch(table, batch, batch[^1].Position);
        }

        await ExecuteAsync(connection, "COMMIT", cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="table"/>'s schema (version 1) as of <paramref name="snapshotName"/> and splits the table
    /// into up to <paramref name="maxRanges"/> ranges of heap blocks that <see cref="ReadCopyTextAsync"/> can read
    /// in parallel, one connection each: together they hold every row of the snapshot exactly once (a row's
    /// <c>ctid</c> is in exactly one range; the last range is open-ended). A partitioned table, a table under
    /// <paramref name="blocksPerRange"/> blocks (<see cref="BlocksPerRange"/> unless a test asks for smaller ranges)
    /// and a source before Postgres 14 (no TID range scans) get one range.
    /// </summary>
    public async Task<SnapshotTablePlan> PlanAsync(TableName table, string snapshotName, int maxRanges, CancellationToken cancellationToken, long blocksPerRange = BlocksPerRange)
    {
        ArgumentNullException.ThrowIfNull(table);
        await using var connection = await OpenSnapshotAsync(snapshotName, cancellationToken);
        var (schema, isPartitioned) = await ReadSchemaAsync(connection, table, cancellationToken);
        long blocks;
        await using (var command = new NpgsqlCommand("SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresIdentifier.Quote(table) });
            blocks = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        var count = isPartitioned || connection.PostgreSqlVersion.Major < 14 ? 1 : (int)Math.Clamp(blocks / Math.Max(1, blocksPerRange), 1, Math.Max(1, maxRanges));
        var ranges = Enumerable.Range(0, count)
            .Select(i => new BlockRange(blocks * i / count, i == count - 1 ? null : blocks * (i + 1) / count))
            .ToList();
        await ExecuteAsync(connection, "COMMIT", cancellationToken);
        return new SnapshotTablePlan(table, schema, isPartitioned, ranges);
    }

    /// <summary>
    /// Heap blocks (8 kB each by default) per parallel range at least: 8 MiB. A single range is read by one source
    /// backend and one silo thread, so a table of a few tens of MiB (1,000,000 narrow rows) copied as one range
    /// left the other core idle; an extra range costs only a connection importing the snapshot.
    /// </summary>
    public const long BlocksPerRange = 1024;

    /// <summary>A connection in a read-only REPEATABLE READ transaction that imported the exported snapshot.</summary>
    private async Task<NpgsqlConnection> OpenSnapshotAsync(string snapshotName, CancellationToken cancellationToken, string? connectionString = null)
    {
        if (!SnapshotNamePattern().IsMatch(snapshotName))
        {
            throw new ArgumentException($"'{snapshotName}' is not an exported snapshot name.", nameof(snapshotName));
        }

        var connection = new NpgsqlConnection(connectionString ?? _connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, BeginSql, cancellationToken);

            // SET TRANSACTION SNAPSHOT takes a literal, not a parameter; the name was checked against the pattern above.
            await ExecuteAsync(connection, $"SET TRANSACTION SNAPSHOT '{snapshotName}'", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The table's published columns and keys as the current transaction sees them (version 1).</summary>
    internal static async Task<(TableSchema Schema, bool IsPartitioned)> ReadSchemaAsync(NpgsqlConnection connection, TableName table, CancellationToken cancellationToken)
    {
        var columns = new List<ColumnSchema>();
        var isPartitioned = false;
        await using (var command = new NpgsqlCommand(TableSchemaSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = table.Schema });
            command.Parameters.Add(new NpgsqlParameter { Value = table.Name });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add(new ColumnSchema(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<uint>(2), reader.GetBoolean(4), reader.GetInt32(5)));
                isPartitioned = reader.GetBoolean(3);
            }
        }

        if (columns.Count == 0)
        {
            throw new InvalidOperationException($"Table {table} does not exist in the snapshot or has no published columns.");
        }

        return (new TableSchema(table, 1, columns), isPartitioned);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex("^[0-9A-Fa-f-]+$")]
    private static partial Regex SnapshotNamePattern();
}
