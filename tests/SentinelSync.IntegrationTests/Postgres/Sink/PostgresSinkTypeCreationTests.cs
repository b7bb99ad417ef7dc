using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// User-defined types the destination lacks are created from the source's definitions, in dependency order;
/// a type that cannot be created blocks its table (retried, never dead-lettered) until it is fixed.
/// </summary>
public sealed class PostgresSinkTypeCreationTests
{
    private const string SourceSchema = """"
        CREATE EXTENSION hstore;
        CREATE EXTENSION citext;
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy ☺');
        CREATE TYPE public.pair AS (a integer, "B c" text);
        CREATE TYPE public.tagged AS (p public.pair, moods app.mood[], tags hstore);
        CREATE FUNCTION public.is_even(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v % 2 = 0';
        CREATE DOMAIN public.even AS integer DEFAULT 2 NOT NULL CONSTRAINT even_check CHECK (public.is_even(VALUE)) CONSTRAINT small CHECK (VALUE < 1000);
        CREATE TYPE public.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi, multirange_type_name = public.floatranges);
        CREATE DOMAIN public.email AS citext CHECK (VALUE LIKE '%@%');
        CREATE TABLE public.things (
            k public.tagged PRIMARY KEY,
            mood app.mood, moods app.mood[], ev public.even, evs public.even[], fr public.floatrange, frs public.floatranges,
            mail public.email, pairs public.pair[]);
        INSERT INTO public.things VALUES
          ('("(1,x)","{sad,ok}","""a""=>""1""")', 'happy ☺', '{sad,NULL}', 4, '{2,6}', '[1.5,2.5)', '{[1,2),[3,4)}', 'A@b.c', '{"(1,a)",NULL}'),
          ('(,{},)', NULL, '{}', 0, NULL, 'empty', '{}', NULL, '{}');
        """";

    private const string Columns = """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid, coalesce(a.attnum = ANY (i.indkey), false)
        FROM pg_attribute a
        LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    [Fact]
    public async Task Missing_enums_composites_domains_ranges_arrays_and_extensions_are_created_from_the_source_and_new_labels_follow()
    {
        await using var source = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await source.ExecuteAsync(SourceSchema);
        await using var target = await SinkTarget.CreateAsync();
        await using var sink = new PostgresSink(new PostgresSinkOptions { Connection = target.Database.ConnectionString }, sourceConnection: source.ConnectionString);

        var schema = await SchemaAsync(source, "public.things");
        var builder = new ChangeBatchBuilder(schema);
        foreach (var row in await RowsAsync(source, schema))
        {
            builder.Insert(row);
        }

        await sink.ApplyAsync(builder.Build(), SinkTarget.SinkName, 1);

        (await TypeDefinitions.ReadAsync(target.Database)).ShouldBe(await TypeDefinitions.ReadAsync(source));
        (await RowTextsAsync(target.Database)).ShouldBe(await RowTextsAsync(source));
        (await SchemaAsync(target.Database, "public.things")).Columns.Select(c => c.TypeName).ShouldBe(schema.Columns.Select(c => c.TypeName));
        var violation = await Should.ThrowAsync<Npgsql.PostgresException>(() => target.Database.ExecuteAsync("SELECT 3::public.even"));
        violation.ConstraintName.ShouldBe("even_check");

        // A label the source adds later (in the middle, and at the end) reaches the destination in the source's order.
        await source.ExecuteAsync("ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok'; ALTER TYPE app.mood ADD VALUE 'zen'");
        await source.ExecuteAsync("UPDATE public.things SET mood = 'meh', moods = '{zen,meh}' WHERE mood = 'happy ☺'");
        var later = new ChangeBatchBuilder(schema, builder.NextPosition.Lsn);
        foreach (var row in await RowsAsync(source, schema))
        {
            later.Update(row);
        }

        await sink.ApplyAsync(later.Build(), SinkTarget.SinkName, 1);
        (await TypeDefinitions.ReadAsync(target.Database)).ShouldBe(await TypeDefinitions.ReadAsync(source));
        (await RowTextsAsync(target.Database)).ShouldBe(await RowTextsAsync(source));
    }

    [Fact]
    public async Task A_type_the_destination_may_not_create_blocks_the_table_as_transient_naming_type_and_fix_until_it_is_fixed()
    {
        await using var source = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await source.ExecuteAsync("CREATE EXTENSION earthdistance CASCADE; CREATE TABLE public.places (id integer PRIMARY KEY, spot earth)");
        await using var target = await SinkTarget.CreateAsync();
        await using var role = await LimitedRole.CreateAsync(target.Database);
        await using var sink = new PostgresSink(new PostgresSinkOptions { Connection = role.ConnectionString }, sourceConnection: source.ConnectionString);
        var schema = await SchemaAsync(source, "public.places");
        var batch = new ChangeBatchBuilder(schema).Insert("1", "(6378168, 0, 0)").Build();

        // earthdistance is not a trusted extension: only a superuser may create it.
        var blocked = await Should.ThrowAsync<TableBlockedException>(() => sink.ApplyAsync(batch, SinkTarget.SinkName, 1));
        blocked.Table.ShouldBe(schema.Table);
        blocked.Message.ShouldContain("type earth");
        blocked.Message.ShouldContain("CREATE EXTENSION IF NOT EXISTS earthdistance");
        blocked.Message.ShouldContain("permission denied");
        sink.IsTransient(blocked).ShouldBeTrue("a blocked table is retried, never dead-lettered");
        (await target.Database.ScalarAsync<bool>("SELECT to_regclass('public.places') IS NULL")).ShouldBeTrue();

        await target.Database.ExecuteAsync("CREATE EXTENSION earthdistance CASCADE");
        await sink.ApplyAsync(batch, SinkTarget.SinkName, 1);
        (await target.RowsAsync("SELECT id, format('%s', spot) FROM public.places")).ShouldBe(["1|(6378168, 0, 0)"]);
    }

    [Fact]
    public async Task Without_a_source_connection_a_missing_type_blocks_the_table_and_a_mapping_fixes_it()
    {
        var schema = ChangeBatchBuilder.Table("moods", 1, ChangeBatchBuilder.Key("id", "integer"), ChangeBatchBuilder.Column("feeling", "mood"));
        var batch = new ChangeBatchBuilder(schema).Insert("1", "happy").Build();
        await using (var target = await SinkTarget.CreateAsync())
        {
            var error = await Should.ThrowAsync<TableBlockedException>(() => target.Sink.ApplyAsync(batch, SinkTarget.SinkName, 1));
            var missing = error.InnerException.ShouldBeOfType<MissingDestinationTypeException>();
            (missing.Table.ToString(), missing.Column, missing.TypeName).ShouldBe(("public.moods", "feeling", "mood"));
            target.Sink.IsTransient(error).ShouldBeTrue();
            (await target.Database.ScalarAsync<bool>("SELECT to_regclass('public.moods') IS NULL")).ShouldBeTrue();
        }

        await using var mapped = await SinkTarget.CreateAsync(o => o.TypeNameMapping = (_, c) => c.TypeName == "mood" ? "text" : c.TypeName);
        await mapped.Sink.ApplyAsync(batch, SinkTarget.SinkName, 1);
        (await mapped.RowsAsync("SELECT id, feeling, pg_typeof(feeling)::text FROM public.moods")).ShouldBe(["1|happy|text"]);
    }

    /// <summary>The table's schema as the change stream would carry it: format_type spelling, source type OIDs, key.</summary>
    private static async Task<TableSchema> SchemaAsync(PostgresDatabase database, string table)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(Columns, connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = table });
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<ColumnSchema>();
        while (await reader.ReadAsync())
        {
            columns.Add(new ColumnSchema(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<uint>(2), reader.GetBoolean(3)));
        }

        var name = table.Split('.');
        return new TableSchema(new TableName(name[0], name[1]), 1, columns);
    }

    /// <summary>Every row's values as the output functions print them (what the change stream carries).</summary>
    private static async Task<List<object?[]>> RowsAsync(PostgresDatabase database, TableSchema schema)
    {
        var list = string.Join(", ", schema.Columns.Select(c => $"CASE WHEN \"{c.Name}\" IS NULL THEN NULL ELSE format('%s', \"{c.Name}\") END"));
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT {list} FROM {schema.Table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : (object)reader.GetString(i)).ToArray());
        }

        return rows;
    }

    private static Task<string> RowTextsAsync(PostgresDatabase database) =>
        database.ScalarAsync<string>("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM public.things t");
}
