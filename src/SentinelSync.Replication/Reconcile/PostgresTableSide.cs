using System.Data;
using System.Globalization;
using System.Text;
using Npgsql;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// A table in a Postgres database as one side of a comparison: the source (every query in a read-only
/// transaction on an exported <paramref name="snapshot"/>, so the whole pass sees one state and locks nothing)
/// or a Postgres destination (short read-only transactions: a long one would slow the sink's apply). Only the
/// source's <paramref name="columns"/> are compared, in the source's order, so columns the destination keeps
/// beyond them (dropped at the source) do not count. <paramref name="form"/> says what text both sides agree on.
/// </summary>
internal sealed class PostgresTableSide(
    string connectionString,
    TableName table,
    IReadOnlyList<ColumnSchema> columns,
    bool only,
    string? snapshot,
    ComparableForm form) : ITableSide
{
    // Text forms that depend on session settings are pinned, identically on both sides.
    private const string PinnedSettings = "SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex';";

    private static readonly ChunkDigest Empty = new(0, "0");

    private readonly ColumnSchema[] _keys = [.. columns.Where(c => c.IsKey)];
    private readonly string _from = (only ? "ONLY " : "") + PostgresIdentifier.Quote(table) + " t";

    private string KeyList => string.Join(", ", _keys.Select(c => "t." + PostgresIdentifier.Quote(c.Name)));

    private string KeyTexts => string.Join(", ", _keys.Select(form.PostgresKeyText));

    private string RowText => form.PostgresRowText(columns);

    /// <summary>Every <paramref name="step"/>-th key in key order: the upper bounds of the chunks but the last.</summary>
    public async Task<List<string[]>> BoundariesAsync(int step, CancellationToken cancellationToken)
    {
        var inner = $"SELECT {KeyList}, row_number() OVER (ORDER BY {KeyList}) AS sentinel_rn FROM {_from}";
        var sql = $"SELECT {KeyTexts} FROM ({inner}) t WHERE t.sentinel_rn % {step.ToString(CultureInfo.InvariantCulture)} = 0 ORDER BY t.sentinel_rn";
        return await QueryAsync(sql, r => ReadKey(r, 0), cancellationToken);
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT count(*) FROM {_from}", r => r.GetInt64(0), cancellationToken)).FirstOrDefault();

    public async Task<ChunkDigest[]> DigestAsync(IReadOnlyList<Chunk> chunks, CancellationToken cancellationToken)
    {
        if (chunks.Count > 0 && chunks[0].IsBucket)
        {
            var sql = $"SELECT {form.PostgresBucket(KeyTexts, chunks[0].Buckets)} AS b, count(*), {form.PostgresSum(RowText)} FROM {_from} GROUP BY 1";
            var found = (await QueryAsync(sql, r => (Bucket: r.GetInt64(0), Digest: new ChunkDigest(r.GetInt64(1), r.GetString(2))), cancellationToken))
                .ToDictionary(x => x.Bucket, x => x.Digest);
            return [.. chunks.Select(c => found.GetValueOrDefault(c.Index, Empty))];
        }

        var digests = new ChunkDigest[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            var sql = $"SELECT count(*), {form.PostgresSum(RowText)} FROM {_from} WHERE {Where(chunks[i])}";
            digests[i] = (await QueryAsync(sql, r => new ChunkDigest(r.GetInt64(0), r.GetString(1)), cancellationToken)).FirstOrDefault(Empty);
        }

        return digests;
    }

    public async Task<Dictionary<string, RowDigest>> RowsAsync(Chunk chunk, CancellationToken cancellationToken) =>
        ById(await QueryAsync($"SELECT {KeyTexts}, md5({RowText}) FROM {_from} WHERE {Where(chunk)}", ReadRow, cancellationToken));

    public async Task<Dictionary<string, RowDigest>> RowsAsync(IReadOnlyList<string[]> keys, CancellationToken cancellationToken)
    {
        var rows = new List<RowDigest>(keys.Count);
        for (var start = 0; start < keys.Count; start += 1000)
        {
            var values = string.Join(", ", keys.Skip(start).Take(1000).Select(k => "(" + string.Join(", ", _keys.Select((c, i) => form.PostgresKeyLiteral(c, k[i]))) + ")"));
            var operands = string.Join(", ", _keys.Select(form.PostgresKeyOperand));
            rows.AddRange(await QueryAsync($"SELECT {KeyTexts}, md5({RowText}) FROM {_from} WHERE ({operands}) IN (VALUES {values})", ReadRow, cancellationToken));
        }

        return ById(rows);
    }

    private string Where(Chunk chunk)
    {
        if (chunk.IsBucket)
        {
            return $"{form.PostgresBucket(KeyTexts, chunk.Buckets)} = {chunk.Index.ToString(CultureInfo.InvariantCulture)}";
        }

        var where = new StringBuilder("true");
        if (chunk.After is { } after)
        {
            where.Append(" AND (").Append(KeyList).Append(") > (").Append(Literals(after)).Append(')');
        }

        if (chunk.Through is { } through)
        {
            where.Append(" AND (").Append(KeyList).Append(") <= (").Append(Literals(through)).Append(')');
        }

        return where.ToString();
    }

    private string Literals(string[] key) => string.Join(", ", _keys.Select((c, i) => form.PostgresKeyLiteral(c, key[i])));

    private string[] ReadKey(NpgsqlDataReader reader, int offset)
    {
        var key = new string[_keys.Length];
        for (var i = 0; i < key.Length; i++)
        {
            key[i] = reader.GetString(offset + i);
        }

        return key;
    }

    private RowDigest ReadRow(NpgsqlDataReader reader) => new(ReadKey(reader, 0), reader.GetString(_keys.Length));

    private static Dictionary<string, RowDigest> ById(List<RowDigest> rows)
    {
        var byId = new Dictionary<string, RowDigest>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            byId[RowDigest.IdOf(row.Key)] = row;
        }

        return byId;
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(snapshot is null ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
            var setup = "SET TRANSACTION READ ONLY; "
                + (snapshot is null ? "" : $"SET TRANSACTION SNAPSHOT '{snapshot.Replace("'", "''", StringComparison.Ordinal)}'; ")
                + PinnedSettings + form.PostgresSettings;
            await using (var settings = new NpgsqlCommand(setup, connection, transaction))
            {
                await settings.ExecuteNonQueryAsync(cancellationToken);
            }

            var result = new List<T>();
            await using (var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 })
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    result.Add(read(reader));
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (PostgresException e) when (snapshot is null && e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // The sink creates its table with the first rows it applies: none yet is an empty table.
            return [];
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.InvalidSchemaName)
        {
            throw new ReconcileException($"{(snapshot is null ? "Destination" : "Source")} table {table}: {e.MessageText}");
        }
    }
}
