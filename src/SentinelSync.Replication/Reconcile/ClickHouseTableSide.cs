using System.Globalization;
using System.Text;
using SentinelSync.Replication.ClickHouse;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// A ClickHouse sink's table as the destination side of a comparison: its live rows (<c>FINAL</c>, tombstones
/// excluded), in the text of a <see cref="ClickHouseComparableForm"/>, chunked by key-hash buckets.
/// </summary>
internal sealed class ClickHouseTableSide(ClickHouseSinkOptions options, TableName source, IReadOnlyList<ColumnSchema> columns, ClickHouseComparableForm form) : ITableSide
{
    private readonly ColumnSchema[] _keys = [.. columns.Where(c => c.IsKey)];
    private readonly string _from = ClickHouseIdentifier.Quote(ClickHouseSinkOptions.TargetOf(source)) + " FINAL WHERE _deleted = 0";

    private string KeyTexts => string.Join(", ", _keys.Select(form.ClickHouseKeyText));

    public async Task<long> CountAsync(CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT count() FROM {_from}", cancellationToken)) is [var row, ..] ? long.Parse(row[0], CultureInfo.InvariantCulture) : 0;

    public async Task<ChunkDigest[]> DigestAsync(IReadOnlyList<Chunk> chunks, CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            return [];
        }

        var buckets = chunks[0].Buckets;
        var sql = $"SELECT {form.ClickHouseBucket(_keys, buckets)} AS sentinel_bucket, count(), toString(sum({ClickHouseComparableForm.ClickHouseHash32(form.ClickHouseRowText())})) FROM {_from} GROUP BY sentinel_bucket";
        var found = (await QueryAsync(sql, cancellationToken)).ToDictionary(
            f => int.Parse(f[0], CultureInfo.InvariantCulture),
            f => new ChunkDigest(long.Parse(f[1], CultureInfo.InvariantCulture), f[2]));
        return [.. chunks.Select(c => found.GetValueOrDefault(c.Index, new ChunkDigest(0, "0")))];
    }

    public async Task<Dictionary<string, RowDigest>> RowsAsync(Chunk chunk, CancellationToken cancellationToken) =>
        Rows(await QueryAsync($"SELECT {KeyTexts}, lower(hex(MD5({form.ClickHouseRowText()}))) FROM {_from} AND {form.ClickHouseBucket(_keys, chunk.Buckets)} = {chunk.Index.ToString(CultureInfo.InvariantCulture)}", cancellationToken));

    public async Task<Dictionary<string, RowDigest>> RowsAsync(IReadOnlyList<string[]> keys, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, RowDigest>(StringComparer.Ordinal);
        foreach (var batch in keys.Chunk(1000))
        {
            var tuples = string.Join(", ", batch.Select(k => _keys.Length == 1 ? Literal(k[0]) : "(" + string.Join(", ", k.Select(Literal)) + ")"));
            var operand = _keys.Length == 1 ? KeyTexts : $"({KeyTexts})";
            foreach (var (id, row) in Rows(await QueryAsync($"SELECT {KeyTexts}, lower(hex(MD5({form.ClickHouseRowText()}))) FROM {_from} AND {operand} IN ({tuples})", cancellationToken)))
            {
                rows[id] = row;
            }
        }

        return rows;
    }

    private Dictionary<string, RowDigest> Rows(List<string[]> fields)
    {
        var rows = new Dictionary<string, RowDigest>(fields.Count, StringComparer.Ordinal);
        foreach (var f in fields)
        {
            var key = f[.._keys.Length];
            rows[RowDigest.IdOf(key)] = new RowDigest(key, f[_keys.Length]);
        }

        return rows;
    }

    private async Task<List<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        string text;
        using var http = new ClickHouseHttp(options);
        try
        {
            text = await http.QueryAsync(sql + " FORMAT TabSeparated", cancellationToken);
        }
        catch (ClickHouseServerException e) when (e.Code is 60 or 81)
        {
            // Unknown table or database: the sink creates them with the first rows it applies, so none yet is empty.
            return [];
        }
        catch (ClickHouseServerException e)
        {
            throw new ReconcileException($"ClickHouse table {ClickHouseSinkOptions.TargetOf(source)} in {options.Database}: {e.Message}");
        }

        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t').Select(Unescape).ToArray())];
    }

    private static string Literal(string text) =>
        "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>A TabSeparated field's value (ClickHouse escapes backslash, tab, newline and a few others).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var value = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                value.Append(field[i]);
                continue;
            }

            value.Append(field[++i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                'b' => '\b',
                'f' => '\f',
                '0' => '\0',
                var other => other,
            });
        }

        return value.ToString();
    }
}
