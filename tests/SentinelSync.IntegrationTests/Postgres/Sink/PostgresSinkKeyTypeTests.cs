using SentinelSync.Replication;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// Every type Postgres can key a table on works as the sink's key: updates (complete, and leaving a TOAST column
/// unchanged), key changes (as delete plus upsert, and as a move that keeps an unchanged TOAST column) and deletes,
/// not only inserts. Values are the types' text
/// output, as the change stream carries them.
/// </summary>
public sealed class PostgresSinkKeyTypeTests
{
    private const string Types = """
        CREATE EXTENSION IF NOT EXISTS hstore;
        CREATE EXTENSION IF NOT EXISTS citext;
        CREATE EXTENSION IF NOT EXISTS ltree;
        CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TYPE public.pair AS (a integer, b text);
        CREATE TYPE public.tagged AS (p public.pair, moods public.mood[], at date);
        CREATE DOMAIN public.code AS text CHECK (VALUE ~ '^[A-Z]+$');
        """;

    public static TheoryData<string, string, string, string> Keys => new()
    {
        // type, first key, second key, third key
        { "pair", "(1,x)", "(2,\"y z\")", "(3,)" },
        { "tagged", "(\"(1,x)\",\"{sad,ok}\",2020-01-01)", "(\"(1,x)\",{happy},)", "(,{},)" },
        { "pair[]", "{\"(1,a)\",\"(2,b)\"}", "{NULL}", "{}" },
        { "integer[]", "{1,2}", "{{1,2},{3,4}}", "[0:1]={7,8}" },
        { "mood", "sad", "ok", "happy" },
        { "mood[]", "{sad}", "{ok,happy}", "{}" },
        { "int4range", "[1,5)", "empty", "(,)" },
        { "int4multirange", "{[1,3),[5,7)}", "{}", "{(,)}" },
        { "daterange", "[2020-01-01,infinity)", "empty", "(,2021-06-02)" },
        { "code", "ABC", "XYZ", "Q" },
        { "hstore", "\"a\"=>\"1\", \"b\"=>NULL", "", "\"k\"=>\"v w\"" },
        { "citext", "Abc", "déf", "" },
        { "ltree", "a.b.c", "", "top" },
        { "inet", "10.0.0.1", "2001:db8::1/64", "192.168.0.0/16" },
        { "numeric(10,2)", "1.50", "-0.01", "NaN" },
        { "character(3)", "ab ", "x  ", "xyz" },
        { "bit(3)", "101", "000", "111" },
        { "timestamp(3) without time zone", "2020-01-01 00:00:00.123", "-infinity", "infinity" },
        { "bytea", "\\x00ff", "\\x", "\\x5c" },
        { "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff" },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Updates_key_changes_and_deletes_find_their_rows(string type, string first, string second, string third)
    {
        await using var target = await SinkTarget.CreateAsync();
        await target.Database.ExecuteAsync(Types);
        var schema = Table("keyed", 1, Key("k", type), Column("v", "text"), Column("body", "text"));

        var builder = new ChangeBatchBuilder(schema).Insert(first, "a", "body 1").Insert(second, "b", "body 2");
        await ApplyAsync(target, builder, 0);
        (await RowsAsync(target)).ShouldBe([$"{first}|a|body 1", $"{second}|b|body 2"], ignoreOrder: true);

        // Update of a non-key column, then a key change with the whole row (a delete of the old key plus an upsert).
        var count = builder.Changes.Count;
        builder.Update(first, "a2", "body 1").UpdateKey([second], third, "b3", "body 3");
        await ApplyAsync(target, builder, count);
        (await RowsAsync(target)).ShouldBe([$"{first}|a2|body 1", $"{third}|b3|body 3"], ignoreOrder: true);

        // An update leaving the TOASTed column unchanged: a keyed UPDATE of the columns it carries.
        count = builder.Changes.Count;
        builder.Update(first, "a3", ColumnValue.Unchanged);
        await ApplyAsync(target, builder, count);
        (await RowsAsync(target)).ShouldBe([$"{first}|a3|body 1", $"{third}|b3|body 3"], ignoreOrder: true);

        count = builder.Changes.Count;
        builder.Delete(first);
        await ApplyAsync(target, builder, count);
        (await RowsAsync(target)).ShouldBe([$"{third}|b3|body 3"]);

        // A key change whose TOASTed column did not change: the row moves in place, keeping it.
        count = builder.Changes.Count;
        builder.UpdateKey([third], second, "b4", ColumnValue.Unchanged);
        await ApplyAsync(target, builder, count);
        (await RowsAsync(target)).ShouldBe([$"{second}|b4|body 3"]);
    }

    [Fact]
    public async Task Large_segments_with_composite_keys_take_the_staging_path_with_the_same_result()
    {
        await using var target = await SinkTarget.CreateAsync();
        await target.Database.ExecuteAsync(Types);
        var schema = Table("keyed", 1, Key("k", "tagged"), Column("v", "text"), Column("body", "text"));
        static string KeyOf(int i) => $"(\"({i},x)\",{{ok}},)";

        var builder = new ChangeBatchBuilder(schema);
        for (var i = 0; i < 600; i++)
        {
            builder.Insert(KeyOf(i), "v" + i, "body");
        }

        await ApplyAsync(target, builder, 0);

        // Deletes, complete updates and updates leaving a TOASTed column unchanged, each group above the direct limit.
        var count = builder.Changes.Count;
        for (var i = 0; i < 600; i++)
        {
            _ = (i % 3) switch
            {
                0 => builder.Delete(KeyOf(i)),
                1 => builder.Update(KeyOf(i), "w" + i, "new body"),
                _ => builder.Update(KeyOf(i), "u" + i, ColumnValue.Unchanged),
            };
        }

        await ApplyAsync(target, builder, count);
        var rows = await target.RowsAsync("SELECT (k).p.a, v, body FROM public.keyed ORDER BY (k).p.a");
        rows.Count.ShouldBe(400);
        rows[0].ShouldBe("1|w1|new body");
        rows[1].ShouldBe("2|u2|body");
    }

    private static Task ApplyAsync(SinkTarget target, ChangeBatchBuilder builder, int from) =>
        target.Sink.ApplyAsync(builder.Build(from, builder.Changes.Count - from), SinkTarget.SinkName, epoch: 1);

    // format('%s') is the output function, the text the change stream carries.
    private static Task<List<string>> RowsAsync(SinkTarget target) =>
        target.RowsAsync("SELECT format('%s', k), v, body FROM public.keyed");
}
