using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Postgres.Source;

/// <summary>Every type we promise, at its edges, streamed and compared with the text the source prints for it.</summary>
public sealed class TypeTortureTests
{
    internal const string Schema = """
        CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy ☺');
        CREATE DOMAIN public.posint AS int CHECK (VALUE > 0);
        CREATE TABLE public.torture (
            id int PRIMARY KEY,
            i2 smallint, i4 integer, i8 bigint,
            num numeric, nump numeric(40,20),
            r real, d double precision, m money, b boolean,
            t text, vc varchar(10), c char(5), by bytea,
            dt date, tm time, ts timestamp, tstz timestamptz, ttz timetz, iv interval,
            u uuid, j json, jb jsonb,
            ai int[], at2 text[][],
            ip inet, cd cidr, mac macaddr, bt bit(4), vb varbit,
            ir int4range, tr tstzrange, nr numrange,
            e public.mood, dm public.posint, x xml, p point, o oid);
        """;

    internal const string Rows = """
        INSERT INTO public.torture VALUES
        (1, -32768, -2147483648, -9223372036854775808,
         '-123456789012345678901234567890123456789012345678901234567890.123456789012345678901234567890', '-12345678901234567890.12345678901234567890',
         '-Infinity', 'NaN', '-92233720368547758.08', false,
         E'tab\there\nnewline\\backslash \\N é 日本 🎉 ''quote''', 'héllo wörl', 'ab', '\x00ff5c0a',
         '-infinity', '00:00', '-infinity', '-infinity', '00:00:00+14:59', '-178000000 years -1 second',
         'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, "x\ty"],  "a": null}', '{"b": {"c": [true, null, 1.50]}, "a": "\u00e9"}',
         '{1,NULL,-3}', '{{a,NULL},{"c d","e\"f\\g"}}',
         '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', B'1',
         'empty', '(,)', '[1.5,2.5)',
         'sad', 1, '<a b="1">x &amp; y<c/></a>', '(1.5,-2)', 0),
        (2, 32767, 2147483647, 9223372036854775807,
         'Infinity', '0.00000000000000000001',
         'Infinity', '-Infinity', '92233720368547758.07', true,
         '', '', '', '\x',
         'infinity', '24:00:00', 'infinity', 'infinity', '23:59:59.999999-15:59', '178000000 years 11 months 29 days 23:59:59.999999',
         '00000000-0000-0000-0000-000000000000', '[]', '[]',
         '{}', '{{{1}}}',
         '0.0.0.0', '::/0', 'ff:ff:ff:ff:ff:ff', B'0000', B'',
         '[-2147483648,2147483647)', '[2020-01-01 00:00:00+00,infinity)', '(,0]',
         'happy ☺', 2147483647, '<?xml version="1.0"?><r/>', '(-1e+300,1e-300)', 4294967295),
        (3, 0, 0, 0, 'NaN', '-0.00000000000000000001', 'NaN', 1.7976931348623157e308, 0, NULL,
         E'\u0001 control \r\n', NULL, NULL, '\x5c5c', '4713-01-01 BC', '23:59:59.999999', '2000-02-29 12:34:56.789012', '1999-12-31 23:59:59.999999+00', NULL, '-1 days +02:03:04.5',
         NULL, 'null', '"string with \"quotes\""', '{NULL}', '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'ok', NULL, '', NULL, NULL),
        (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        """;

    [Fact]
    public async Task Every_type_streams_exactly_as_the_source_prints_it()
    {
        await using var database = await PostgresDatabase.CreateAsync(TestServers.Postgres);
        await database.ExecuteAsync(Schema);
        var options = SourceTestOptions.For(database, "public.torture");
        await new PostgresSourceSetup(options).PrepareAsync();
        await PostgresReplicationSlots.CreateAsync(database.ConnectionString, options.Slot);
        await using var stream = await CollectedStream.StartAsync(options);

        await database.ExecuteAsync(Rows);
        var changes = await stream.WaitForChangesAsync(4);

        var schema = changes[0].Schema;
        schema.Columns.Count.ShouldBe(38);

        // The type's output function, which is what pgoutput and COPY send. It equals col::text for every type
        // but boolean, whose cast to text spells 'true'/'false' where the output function says 't'/'f'.
        var textColumns = string.Join(", ", schema.Columns.Select(c => $"CASE WHEN \"{c.Name}\" IS NULL THEN NULL ELSE format('%s', \"{c.Name}\") END"));
        foreach (var change in changes)
        {
            var id = int.Parse(change.Values[0].Text!, System.Globalization.CultureInfo.InvariantCulture);
            var expected = await database.ScalarAsync<string?[]>($"SELECT ARRAY[{textColumns}] FROM public.torture WHERE id = $1", id);
            for (var i = 0; i < expected.Length; i++)
            {
                var actual = change.Values[i];
                var wanted = expected[i] is null ? ColumnValue.Null : ColumnValue.Of(expected[i]!);
                actual.ShouldBe(wanted, $"row {id}, column {schema.Columns[i].Name} ({schema.Columns[i].TypeName})");
            }
        }

        schema.Columns.Select(c => c.TypeName).ShouldContain("character varying(10)");
        schema.Columns.Select(c => c.TypeName).ShouldContain("numeric(40,20)");
        schema.Columns.Select(c => c.TypeName).ShouldContain("mood");
        schema.Columns.Select(c => c.TypeName).ShouldContain("posint");
        schema.Columns.Select(c => c.TypeName).ShouldContain("text[]");
        schema.Columns.Select(c => c.TypeName).ShouldContain("bit(4)");

        // The snapshot path must agree with the stream for the same rows.
        await using var slot = await PostgresReplicationSlots.CreateExportingSnapshotAsync(database.ConnectionString, options.Slot + "_snap");
        var snapshot = new List<RowChange>();
        await foreach (var batch in new PostgresSnapshotReader(database.ConnectionString).ReadTableAsync(new TableName("public", "torture"), slot.SnapshotName, slot.ConsistentPoint))
        {
            snapshot.AddRange(batch.Changes);
        }

        snapshot.Select(r => r.Values).ShouldBe(changes.OrderBy(c => c.Values[0].Text).Select(c => c.Values));
        snapshot[0].Schema.Columns.ShouldBe(schema.Columns);
    }
}
