using System.Globalization;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Kafka;

/// <summary>
/// One table of <see cref="RoundTripWorkload"/> and how to compare its copies: the same column expressions on the
/// source and the Postgres destination (row text, NULL as ∅), and for ClickHouse each column of the README's mapping
/// beside the source expression that gives the text ClickHouse must show (NULL as TabSeparated's \N).
/// </summary>
internal sealed record RoundTripTable(string Name, string OrderBy, string[] PostgresColumns, (string ClickHouse, string Source)[] ClickHouseColumns, bool Keyless = false)
{
    /// <summary>Microseconds since 2000-01-01 UTC: what the ClickHouse sink writes into a timestamp's <c>__us</c> column.</summary>
    private static string Micros(string column) => $"((extract(epoch from {column}) - 946684800) * 1000000)::bigint::text";

    private static string Nullable(string expression) => $"coalesce(({expression})::text, '\\N')";

    public static readonly RoundTripTable[] All =
    [
        new("customers", "id",
            ["id", "name", "tier", "balance", "md5(note)", "extract(epoch from updated_at)"],
            [("id", "id::text"), ("name", "name"), ("tier", Nullable("tier")), ("balance", "balance::text"), ("lower(hex(MD5(note)))", Nullable("md5(note)")), ("updated_at__us", Micros("updated_at"))]),
        new("orders", "id",
            ["id", "customer_id", "amount", "status", "rush", "extract(epoch from placed)"],
            [("id", "id::text"), ("customer_id", "customer_id::text"), ("amount", "amount::text"), ("status", "status"), ("rush", "rush::int::text"), ("placed__us", Micros("placed"))]),
        new("order_lines", "order_id, line",
            ["order_id", "line", "sku", "qty"],
            [("order_id", "order_id::text"), ("line", "line::text"), ("sku", "sku"), ("qty", "qty::text")]),
        new("audit", "seq",
            ["seq", "what"],
            [("seq", "seq::text"), ("what", "what")],
            Keyless: true),
    ];

    /// <summary>Every row as text in key order; a keyless table's distinct rows (its duplicates are counted apart).</summary>
    public async Task<List<string>> PostgresRowsAsync(PostgresDatabase database)
    {
        var columns = string.Join(", ", PostgresColumns.Select(c => $"coalesce(({c})::text, '∅')"));
        return await TextRowsAsync(database, $"SELECT {(Keyless ? "DISTINCT " : "")}concat_ws('|', {columns}) AS r, {OrderBy} FROM public.{Name} ORDER BY {OrderBy}");
    }

    /// <summary>What ClickHouse's live rows must show, one TabSeparated line per row, computed at the source.</summary>
    public Task<List<string>> ExpectedClickHouseRowsAsync(PostgresDatabase source) =>
        TextRowsAsync(source, $"SELECT concat_ws(E'\\t', {string.Join(", ", ClickHouseColumns.Select(c => c.Source))}) AS r, {OrderBy} FROM public.{Name} ORDER BY {OrderBy}");

    /// <summary>ClickHouse's live rows (FINAL, tombstones left out); a keyless table's distinct rows.</summary>
    public async Task<List<string>> ClickHouseRowsAsync(ClickHouseDatabase clickHouse)
    {
        var columns = string.Join(", ", ClickHouseColumns.Select(c => c.ClickHouse));
        var sql = Keyless
            ? $"SELECT DISTINCT {columns} FROM {Name} ORDER BY {OrderBy} FORMAT TabSeparated"
            : $"SELECT {columns} FROM {Name} FINAL WHERE _deleted = 0 ORDER BY {OrderBy} FORMAT TabSeparated";
        var text = await clickHouse.QueryAsync(sql);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static async Task<List<string>> TextRowsAsync(PostgresDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>A short description of how two row lists differ, for failure messages.</summary>
    public static string Difference(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = expected.Except(actual).Take(3).ToList();
        var extra = actual.Except(expected).Take(3).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"expected {expected.Count} rows, got {actual.Count}; missing e.g. [{string.Join("; ", missing)}], unexpected e.g. [{string.Join("; ", extra)}]");
    }
}
