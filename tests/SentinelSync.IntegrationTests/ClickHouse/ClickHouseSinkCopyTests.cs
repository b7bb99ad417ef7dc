using Npgsql;
using SentinelSync.Replication;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// Snapshot rows copied in COPY text form (<see cref="CopyRows"/>) into the ClickHouse sink, several copies at once,
/// against the real 18.16 server: the same rows as the ordinary path writes, fenced, idempotent, and a copy that
/// fails leaves nothing behind.
/// </summary>
public sealed class ClickHouseSinkCopyTests
{
    private const ulong ConsistentPoint = 0x5000;

    private const string GridColumns = "region text, n bigint, note text, amount numeric(12,2), at timestamptz, day date, ok boolean, ratio float8, blob bytea, tags text[], grid int[]";

    // Every conversion kind, the escapes COPY writes (tab, newline, carriage return, backslash, \b \f \v), a raw control
    // character, quotes, NaN and infinities, BC dates, multidimensional arrays (fallback parts), and rows of NULLs.
    private const string GridRows = """
        INSERT INTO grid
        SELECT 'r' || (g % 3), g,
               'note ' || g || E'\t\n\r\\\b\f' || chr(11) || chr(1) || '''"ü',
               CASE WHEN g % 97 = 0 THEN 'NaN' ELSE g / 7.0 END,
               CASE WHEN g % 50 = 0 THEN 'infinity' ELSE timestamptz '2024-01-01 00:00:00+00' + (g / 10) * interval '1.25 second' END,
               CASE WHEN g % 61 = 0 THEN date '0044-03-15 BC' ELSE date '2024-01-01' + g % 400 END,
               g % 2 = 0,
               CASE WHEN g % 89 = 0 THEN 'NaN'::float8 ELSE g / 3.0 END,
               decode(md5(g::text), 'hex'),
               ARRAY['a' || g, NULL, 'q"\'],
               CASE WHEN g % 101 = 0 THEN '{{1,2},{3,4}}'::int[] ELSE ARRAY[g, NULL] END
        FROM generate_series(1, 3000) g;
        UPDATE grid SET note = NULL, amount = NULL, at = NULL, day = NULL, ok = NULL, ratio = NULL, blob = NULL, tags = NULL, grid = NULL WHERE n % 11 = 0;
        """;

    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer", 1), Column("name", "text", 2));

    [Fact]
    public async Task Copies_applied_side_by_side_hold_exactly_what_the_same_rows_applied_as_changes_hold()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        await target.Control.ExecuteAsync($"CREATE TABLE grid ({GridColumns}, PRIMARY KEY (region, n)); {GridRows}");
        var lines = await CopyOutAsync(target.Control, "grid");
        lines.Count.ShouldBe(3000);

        var copied = GridSchema("copied");
        var applied = GridSchema("applied");
        var copies = Split(copied, lines, parts: 3);
        await Task.WhenAll(copies.Select(c => target.Sink.ApplyCopyAsync(c, ClickHouseSinkTarget.SinkName, epoch: 1)));
        foreach (var copy in Split(applied, lines, parts: 3))
        {
            await target.Sink.ApplyAsync(copy.Expanded(), ClickHouseSinkTarget.SinkName, epoch: 1);
        }

        var viaCopies = await target.ClickHouse.QueryAsync("SELECT * FROM copied FINAL ORDER BY region, n FORMAT TabSeparated");
        var viaChanges = await target.ClickHouse.QueryAsync("SELECT * FROM applied FINAL ORDER BY region, n FORMAT TabSeparated");
        viaCopies.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(3000);
        viaCopies.ShouldBe(viaChanges);

        // And the values are the source's, control characters included.
        var note = await target.Control.ScalarAsync<string>("SELECT note FROM grid WHERE n = 7");
        (await target.ClickHouse.ScalarAsync<string>("SELECT note FROM copied FINAL WHERE n = 7")).ShouldBe(note);
        var nan = await target.Control.ScalarAsync<long>("SELECT count(*) FROM grid WHERE amount = 'NaN'");
        nan.ShouldBeGreaterThan(0);
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM copied FINAL WHERE amount__text = 'NaN'")).ShouldBe(nan);
    }

    [Fact]
    public async Task A_copy_applied_again_leaves_each_key_once_through_final()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var copy = Copy(s_items, 1, "1\ta\n2\tb\n3\tc\n");
        await target.Sink.ApplyCopyAsync(copy, ClickHouseSinkTarget.SinkName, epoch: 1);
        await target.Sink.ApplyCopyAsync(copy, ClickHouseSinkTarget.SinkName, epoch: 1);

        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta", "2\tb", "3\tc"]);
        await target.ClickHouse.QueryAsync("OPTIMIZE TABLE items FINAL");
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM items")).ShouldBe(3);
    }

    [Fact]
    public async Task Copies_leave_the_offset_to_the_end_of_the_snapshot_and_a_copy_at_or_below_it_is_skipped()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var copy = Copy(s_items, 1, "1\ta\n2\tb\n");
        await target.Sink.ApplyCopyAsync(copy, ClickHouseSinkTarget.SinkName, epoch: 1);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(Position.Zero);

        var end = new ChangeBatch(s_items.Table, [], new Position(ConsistentPoint - 1, 3)) { EndsSnapshot = true };
        (await target.Sink.ApplyAsync(end, ClickHouseSinkTarget.SinkName, epoch: 1)).ShouldBe(end.Through);
        (await target.Sink.ReadOffsetAsync(ClickHouseSinkTarget.SinkName, s_items.Table))!.Position.ShouldBe(end.Through);

        await target.Sink.ApplyCopyAsync(Copy(s_items, 1, "1\tstale\n2\tstale\n"), ClickHouseSinkTarget.SinkName, epoch: 1);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta", "2\tb"]);
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM items")).ShouldBe(2);
    }

    [Fact]
    public async Task A_copy_of_an_older_activation_is_refused_before_anything_reaches_clickhouse()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        await target.Sink.ApplyCopyAsync(Copy(s_items, 1, "1\ta\n"), ClickHouseSinkTarget.SinkName, epoch: 2);

        var fenced = await Should.ThrowAsync<SinkFencedException>(() => target.Sink.ApplyCopyAsync(Copy(s_items, 2, "2\tb\n"), ClickHouseSinkTarget.SinkName, epoch: 1));
        fenced.CurrentEpoch.ShouldBe(2);
        (await target.LiveRowsAsync("items", "id, name")).ShouldBe(["1\ta"]);
    }

    [Fact]
    public async Task A_copy_with_a_value_its_key_cannot_hold_fails_for_good_and_inserts_none_of_its_rows()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        var schema = Table("priced", 1, Key("price", "numeric(10,2)", 1), Column("label", "text", 2));

        // 100 kB of good rows precede the bad one: ClickHouse 18.16 keeps the rows of a streamed body abandoned there
        // (seen with an earlier version of the sink), so the copy must fail before anything is sent.
        var text = string.Concat(Enumerable.Range(1, 5000).Select(i => $"{i}.25\tlabel number {i}\n")) + "NaN\tbad\n" + "9.99\tafter\n";
        var error = await Should.ThrowAsync<ClickHouseValueException>(() => target.Sink.ApplyCopyAsync(Copy(schema, 1, text), ClickHouseSinkTarget.SinkName, epoch: 1));
        error.Message.ShouldContain("public.priced");
        target.Sink.IsTransient(error).ShouldBeFalse("the sink grain then applies the rows as changes and dead-letters the bad one");
        (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM priced")).ShouldBe(0);
    }

    private static TableSchema GridSchema(string name) => Table(
        name, 1, Key("region", "text", 1), Key("n", "bigint", 2), Column("note", "text", 3), Column("amount", "numeric(12,2)", 4),
        Column("at", "timestamp with time zone", 5), Column("day", "date", 6), Column("ok", "boolean", 7), Column("ratio", "double precision", 8),
        Column("blob", "bytea", 9), Column("tags", "text[]", 10), Column("grid", "integer[]", 11));

    /// <summary>The table's rows as Postgres' COPY text writes them, one line each (newlines inside values are escaped).</summary>
    private static async Task<List<string>> CopyOutAsync(PostgresDatabase database, string table)
    {
        await using var connection = await database.OpenConnectionAsync();
        using var reader = await connection.BeginTextExportAsync($"COPY {table} TO STDOUT");
        var text = await reader.ReadToEndAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>The lines as <paramref name="parts"/> copies with consecutive positions, as a snapshot hands them out.</summary>
    private static List<ChangeBatch> Split(TableSchema schema, List<string> lines, int parts)
    {
        var size = (lines.Count + parts - 1) / parts;
        return [.. lines.Chunk(size).Select((chunk, i) => Copy(schema, 1 + (i * size), string.Concat(chunk.Select(l => l + "\n"))))];
    }

    private static ChangeBatch Copy(TableSchema schema, long firstRow, string text)
    {
        var rows = CopyRows.FromText(schema, text, text.Count(c => c == '\n'), new Position(ConsistentPoint - 1, firstRow));
        return new ChangeBatch(schema.Table, [], rows.Last) { Copy = rows };
    }
}
