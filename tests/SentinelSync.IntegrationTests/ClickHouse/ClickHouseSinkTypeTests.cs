using SentinelSync.Replication;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Testing;
using Xunit.Abstractions;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// Type torture: every type of the mapping table at its edges goes through the sink into 18.16 and comes back as
/// the documented ClickHouse text (TabSeparated, as ClickHouse prints it; one entry per column part).
/// </summary>
public sealed class ClickHouseSinkTypeTests(ITestOutputHelper output)
{
    private static readonly (string Name, string Type, string? Value, string[] Expected)[] s_cases =
    [
        ("i2", "smallint", "-32768", ["-32768"]),
        ("i4", "integer", "2147483647", ["2147483647"]),
        ("i8", "bigint", "-9223372036854775808", ["-9223372036854775808"]),
        ("n38", "numeric(38,10)", "1234567890123456789012345678.0123456789", ["1234567890123456789012345678.0123456789"]),
        ("n52", "numeric(5,2)", "-999.99", ["-999.99"]),
        ("nbig", "numeric", "123456789012345678901234567890123456789012345.000000000000000000001", ["123456789012345678901234567890123456789012345.000000000000000000001"]),
        ("nnan", "numeric", "NaN", ["NaN"]),
        ("ninf", "numeric", "-Infinity", ["-Infinity"]),
        ("f4", "real", "NaN", ["nan"]),
        ("f4b", "real", "3.4028235e+38", ["3.4028235e38"]),
        ("f8", "double precision", "-Infinity", ["-inf"]),
        ("f8b", "double precision", "5e-324", ["5e-324"]),
        ("f8d", "double precision", "-2.2250738585072014e-308", ["-2.2250738585072014e-308"]),
        ("f8c", "double precision", "0.1", ["0.1"]),
        ("money", "money", "-$1,234.56", ["-$1,234.56"]),
        ("flag", "boolean", "t", ["1"]),
        ("txt", "text", "tab\there\nnl\\bs'q\0\r", ["tab\\there\\nnl\\\\bs\\'q\\0\\r"]),
        ("vc", "character varying(5)", "héllo", ["héllo"]),
        ("ch", "character(3)", "ab ", ["ab "]),
        ("raw", "bytea", "\\x00ff10", ["00ff10"]),
        ("d", "date", "2024-02-29", ["2024-02-29", "8825"]),
        ("dinf", "date", "infinity", ["\\N", "2147483647"]),
        ("dold", "date", "1900-01-01", ["\\N", "-36524"]),
        ("dbc", "date", "0001-01-01 BC", ["\\N", "-730485"]),
        ("dlate", "date", "2105-12-31", ["2105-12-31", "38715"]),
        ("ts", "timestamp without time zone", "2024-02-29 12:34:56.789012", ["2024-02-29 12:34:56", "762525296789012"]),
        ("tstz", "timestamp with time zone", "2024-02-29 12:34:56.5+05:30", ["2024-02-29 07:04:56", "762505496500000"]),
        ("tsneg", "timestamp without time zone", "1969-12-31 23:59:59.999999", ["\\N", "-946684800000001"]),
        ("tsinf", "timestamp with time zone", "-infinity", ["\\N", "-9223372036854775808"]),
        ("tsfar", "timestamp without time zone", "294276-12-31 23:59:59.999999", ["\\N", "9223371331199999999"]),
        ("tm", "time without time zone", "23:59:59.999999", ["23:59:59.999999"]),
        ("tmtz", "time with time zone", "12:00:00+02", ["12:00:00+02"]),
        ("iv", "interval", "1 year 2 mons -3 days 04:05:06.789", ["1 year 2 mons -3 days 04:05:06.789"]),
        ("u", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]),
        ("j", "json", "{\"a\": [1, 2], \"b\": \"x'y\"}", ["{\"a\": [1, 2], \"b\": \"x\\'y\"}"]),
        ("jb", "jsonb", "{\"a\": null}", ["{\"a\": null}"]),
        ("ia", "integer[]", "{1,NULL,-3}", ["[1,NULL,-3]"]),
        ("ta", "text[]", "{\"a,b\",NULL,\"q\\\"x\",plain,\"NULL\",\"t\\\\ab\"}", ["['a,b',NULL,'q\"x','plain','NULL','t\\\\ab']"]),
        ("na", "numeric(5,2)[]", "{1.50,NULL}", ["[1.50,NULL]"]),
        ("fa", "double precision[]", "{NaN,Infinity,-1.5}", ["[nan,inf,-1.5]"]),
        ("ba", "boolean[]", "{t,f,NULL}", ["[1,0,NULL]"]),
        ("ua", "uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", ["['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']"]),
        ("da", "date[]", "{2024-01-01,infinity}", ["['2024-01-01','infinity']"]),
        ("nullarr", "integer[]", null, ["[]"]),
        ("emptyarr", "integer[]", "{}", ["[]"]),
        ("ip", "inet", "192.168.0.1/24", ["192.168.0.1/24"]),
        ("net", "cidr", "10.0.0.0/8", ["10.0.0.0/8"]),
        ("mac", "macaddr", "08:00:2b:01:02:03", ["08:00:2b:01:02:03"]),
        ("bits", "bit(3)", "101", ["101"]),
        ("vbits", "bit varying(5)", "1", ["1"]),
        ("rng", "int4range", "[1,10)", ["[1,10)"]),
        ("mood", "mood", "happy", ["happy"]),
        ("dom", "positive_int", "5", ["5"]),
        ("doc", "xml", "<a>x</a>", ["<a>x</a>"]),
        ("pt", "point", "(1,2)", ["(1,2)"]),
        ("o", "oid", "4294967295", ["4294967295"]),
        ("nul", "text", null, ["\\N"]),
    ];

    [Fact]
    public async Task Every_mapped_type_round_trips_to_the_documented_clickhouse_text()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync(o => o.SourceTypeOverride = (_, c) => c.TypeName == "positive_int" ? "integer" : null);
        var schema = Table("torture", 1, [Key("id", "integer"), .. s_cases.Select(c => Column(c.Name, c.Type))]);
        var builder = new ChangeBatchBuilder(schema)
            .Insert(["1", .. s_cases.Select(c => c.Value)])
            .Insert(["2", .. s_cases.Select(_ => (string?)null)]);
        await target.Sink.ApplyAsync(builder.Build(), ClickHouseSinkTarget.SinkName, 1);

        var mismatches = new List<string>();
        foreach (var (name, type, _, expected) in s_cases)
        {
            var parts = expected.Length == 1 ? $"`{name}`" : $"`{name}`, `{name}{(type == "date" ? ClickHouseTypeMapping.DaysSuffix : ClickHouseTypeMapping.MicrosSuffix)}`";
            var actual = (await target.ClickHouse.QueryAsync($"SELECT {parts} FROM torture FINAL WHERE id = 1 FORMAT TabSeparated")).TrimEnd('\n');
            var wanted = string.Join('\t', expected);
            output.WriteLine($"{name,-10} {type,-30} {actual}");
            if (actual != wanted)
            {
                mismatches.Add($"{name} ({type}): expected [{wanted}] but ClickHouse holds [{actual}]");
            }
        }

        mismatches.ShouldBeEmpty();
        var nulls = await target.ClickHouse.QueryAsync("SELECT count() FROM torture FINAL WHERE id = 2 AND nul IS NULL AND d IS NULL AND d__days IS NULL AND ts__us IS NULL AND empty(ia) AND f8 IS NULL");
        nulls.Trim().ShouldBe("1");
    }

    [Fact]
    public async Task Values_clickhouse_cannot_hold_keep_their_row_and_their_exact_text_in_the_fallback_column()
    {
        await using var target = await ClickHouseSinkTarget.CreateAsync();
        foreach (var (type, value, part) in new[] { ("numeric(10,2)", "NaN", "\\N"), ("integer[]", "{{1,2},{3,4}}", "[]"), ("integer[]", "[0:1]={1,2}", "[]") })
        {
            var table = "kept_" + new string(type.Where(char.IsAsciiLetterOrDigit).ToArray()) + value.Length;
            var schema = Table(table, 1, Key("id", "integer"), Column("v", type));
            await target.Sink.ApplyAsync(new ChangeBatchBuilder(schema).Insert("1", value).Insert("2", type.EndsWith("[]", StringComparison.Ordinal) ? "{5,6}" : "1.50").Build(), ClickHouseSinkTarget.SinkName + table, 1);

            var rows = await target.ClickHouse.QueryAsync($"SELECT id, v, v__text FROM {table} FINAL WHERE _deleted = 0 ORDER BY id FORMAT TabSeparated");
            output.WriteLine($"{type} {value}: {rows}");
            rows.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([$"1\t{part}\t{value}", type.EndsWith("[]", StringComparison.Ordinal) ? "2\t[5,6]\t\\N" : "2\t1.50\t\\N"]);
        }
    }
}
