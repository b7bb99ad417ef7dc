using SentinelSync.Replication;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// Values travel in Postgres' text format: what the source's output function wrote must come back unchanged
/// from the destination's output function, for every type. Inputs are canonical output spellings. The check
/// reads <c>concat(col)</c>, which calls the output function, not <c>col::text</c>: that cast is a different
/// function for some types (boolean gives <c>false</c>, inet adds <c>/128</c>, character(n) trims).
/// </summary>
public sealed class PostgresSinkValueRoundTripTests
{
    private static readonly (string Type, string Text)[] s_values =
    [
        ("numeric", "0.000000000000000000000000000001"),
        ("numeric", "1" + new string('0', 300)),
        ("numeric", "-123456789012345678901234567890.123456789"),
        ("numeric", "NaN"),
        ("numeric", "Infinity"),
        ("numeric", "-Infinity"),
        ("numeric(20,4)", "12.3400"),
        ("double precision", "1.7976931348623157e+308"),
        ("double precision", "-Infinity"),
        ("real", "NaN"),
        ("timestamp with time zone", "infinity"),
        ("timestamp with time zone", "-infinity"),
        ("timestamp without time zone", "2024-02-29 12:34:56.123456"),
        ("date", "4713-01-01 BC"),
        ("time with time zone", "23:59:59.999999+05:30"),
        ("integer[]", "{1,NULL,3}"),
        ("text[]", "{\"a b\",NULL,\"c\\\"d\",\"NULL\",\"\"}"),
        ("integer[]", "{{1,2},{3,NULL}}"),
        ("jsonb", "{\"a\": [1, 2.50, null], \"b\": \"x\\ty\"}"),
        ("json", "{ \"kept\" : \"as written\",\"a\":1 }"),
        ("bytea", "\\x00ff"),
        ("interval", "1 year 2 mons -3 days +04:05:06.789"),
        ("bit varying", "10101"),
        ("bit(4)", "1001"),
        ("int4range", "[1,10)"),
        ("int4range", "empty"),
        ("numrange", "(,5.5]"),
        ("tstzrange", "empty"),
        ("uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("inet", "192.168.0.1/24"),
        ("inet", "::1"),
        ("cidr", "10.0.0.0/8"),
        ("macaddr", "08:00:2b:01:02:03"),
        ("point", "(1.5,-2)"),
        ("money", "$1,234.56"),
        ("xml", "<a b=\"1\">t &amp; u</a>"),
        ("text", "tab\there\nnew line\r\\N backslash \\ and \\. end"),
        ("character(5)", "ab   "),
        ("boolean", "f"),
        ("tsvector", "'cat':1 'fat':2"),
        ("\"char\"", "x"),
    ];

    [Fact]
    public async Task Values_of_many_types_survive_the_text_round_trip_through_insert_upsert_and_update()
    {
        // One column per value keeps this to one database; a failure lists every column that differs.
        await using var target = await SinkTarget.CreateAsync();
        var columns = s_values.Select((v, i) => Column($"v{i}", v.Type)).Prepend(Key("id", "integer")).Append(Column("later", "text")).ToArray();
        var schema = Table("v", 1, columns);
        var texts = s_values.Select(v => (object?)v.Text).ToArray();
        var nulls = new object?[s_values.Length];
        var unchanged = s_values.Select(_ => (object?)ColumnValue.Unchanged).ToArray();
        var builder = new ChangeBatchBuilder(schema).Insert([.. texts.Prepend("1"), null]).Insert([.. nulls.Prepend("2"), null]).Insert([.. texts.Prepend("3"), "x"]);
        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        // Row 2 takes the values through INSERT … ON CONFLICT DO UPDATE; row 3 keeps them through the UPDATE path.
        var update = new ChangeBatchBuilder(schema, builder.NextPosition.Lsn).Update([.. texts.Prepend("2"), null]).Update([.. unchanged.Prepend("3"), "y"]);
        await target.Sink.ApplyAsync(update.Build(), SinkTarget.SinkName, 1);

        var types = await target.RowsAsync("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.v'::regclass AND attname LIKE 'v%' ORDER BY attnum");
        types.ShouldBe(s_values.Select(v => v.Type).ToList());
        var outputs = string.Join(", ", s_values.Select((_, i) => $"concat(v{i})"));
        var rows = await target.ValuesAsync($"SELECT {outputs} FROM public.v ORDER BY id");
        rows.Count.ShouldBe(3);
        var differences = rows
            .SelectMany((row, r) => row.Select((value, i) => (Row: r + 1, i, value)))
            .Where(x => x.value != s_values[x.i].Text)
            .Select(x => $"row {x.Row}, {s_values[x.i].Type}: sent '{s_values[x.i].Text}', stored '{x.value}'")
            .ToList();
        differences.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_key_of_an_unusual_type_round_trips_through_delete_and_move()
    {
        await using var target = await SinkTarget.CreateAsync();
        var schema = Table("k", 1, Key("id", "numeric"), Key("at", "timestamp with time zone"), Column("v", "text"));
        var builder = new ChangeBatchBuilder(schema)
            .Insert("1.50", "infinity", "a").Insert("NaN", "-infinity", "b").Insert("2", "infinity", "c")
            .Delete("NaN", "-infinity")
            .UpdateKey(["2", "infinity"], "3", "infinity", ColumnValue.Unchanged);
        await target.Sink.ApplyAsync(builder.Build(0, 3), SinkTarget.SinkName, 1);

        await target.Sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        (await target.RowsAsync("SELECT id::text, at::text, v FROM public.k ORDER BY id")).ShouldBe(["1.50|infinity|a", "3|infinity|c"]);
    }
}
