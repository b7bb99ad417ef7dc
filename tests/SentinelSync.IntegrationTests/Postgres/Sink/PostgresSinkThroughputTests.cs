using System.Diagnostics;
using System.Globalization;
using Npgsql;
using SentinelSync.Replication;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using Xunit.Abstractions;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Postgres.Sink;

/// <summary>
/// A measurement, not a timed assertion: prints rows/s of the sink's COPY-staged apply against plain COPY and
/// multi-row <c>INSERT … ON CONFLICT</c> for the same rows, and checks only that every row arrived.
/// Exclude with <c>--filter Category!=Measurement</c>.
/// </summary>
[Trait("Category", "Measurement")]
public sealed class PostgresSinkThroughputTests(ITestOutputHelper output)
{
    private const int Rows = 100_000;

    [Fact]
    public async Task Measure_inserts_through_the_sink_against_copy_and_multi_row_upsert()
    {
        await using var target = await SinkTarget.CreateAsync();
        foreach (var batchSize in new[] { 5_000, 10_000 })
        {
            var schema = Table($"sink_{batchSize}", 1, Key("id", "bigint"), Column("name", "text"), Column("amount", "numeric(12,2)"), Column("at", "timestamp with time zone"));
            var builder = new ChangeBatchBuilder(schema);
            for (var i = 0; i < Rows; i++)
            {
                builder.Insert(Row(i));
            }

            await target.Sink.EnsureTableAsync(schema);
            var reduce = Stopwatch.StartNew();
            var reduced = Replication.Sinks.ChangeReducer.Reduce(builder.Changes);
            output.WriteLine($"client-side per-key reduction of {Rows:N0} changes: {reduce.Elapsed.TotalMilliseconds:0} ms");
            reduced.ShouldHaveSingleItem().Upserts.Count.ShouldBe(Rows);

            var watch = Stopwatch.StartNew();
            for (var start = 0; start < Rows; start += batchSize)
            {
                await target.Sink.ApplyAsync(builder.Build(start, batchSize), SinkTarget.SinkName, 1);
            }

            Report($"sink ApplyAsync (COPY to staging + INSERT … ON CONFLICT), batches of {batchSize}", watch.Elapsed);
            (await target.Database.ScalarAsync<long>($"SELECT count(*) FROM public.sink_{batchSize}")).ShouldBe(Rows);
        }

        foreach (var batchSize in new[] { 1_000, 5_000, 10_000 })
        {
            var table = $"upsert_{batchSize}";
            await target.Database.ExecuteAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, amount numeric(12,2), at timestamptz)");
            await using var connection = await target.Database.OpenConnectionAsync();
            var watch = Stopwatch.StartNew();
            for (var start = 0; start < Rows; start += batchSize)
            {
                await using var command = connection.CreateCommand();
                var values = new List<string>(batchSize);
                for (var i = start; i < start + batchSize; i++)
                {
                    var row = Row(i);
                    var p = command.Parameters.Count;
                    values.Add($"(${p + 1}::bigint, ${p + 2}, ${p + 3}::numeric(12,2), ${p + 4}::timestamptz)");
                    foreach (var value in row)
                    {
                        command.Parameters.Add(new NpgsqlParameter { Value = value });
                    }
                }

                command.CommandText = $"INSERT INTO {table} (id, name, amount, at) VALUES {string.Join(", ", values)} "
                    + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, at = EXCLUDED.at";
                await command.ExecuteNonQueryAsync();
            }

            Report($"multi-row INSERT … ON CONFLICT, {batchSize} rows per statement", watch.Elapsed);
            (await target.Database.ScalarAsync<long>($"SELECT count(*) FROM {table}")).ShouldBe(Rows);
        }

        await target.Database.ExecuteAsync("CREATE TABLE copy_only (id bigint PRIMARY KEY, name text, amount numeric(12,2), at timestamptz)");
        await using (var connection = await target.Database.OpenConnectionAsync())
        {
            var watch = Stopwatch.StartNew();
            await using (var writer = await connection.BeginTextImportAsync("COPY copy_only (id, name, amount, at) FROM STDIN"))
            {
                for (var i = 0; i < Rows; i++)
                {
                    await writer.WriteAsync(string.Join('\t', Row(i)) + "\n");
                }
            }

            Report("plain COPY into the table, one COPY", watch.Elapsed);
        }

        (await target.Database.ScalarAsync<long>("SELECT count(*) FROM copy_only")).ShouldBe(Rows);
    }

    private static object[] Row(int i) =>
    [
        i.ToString(CultureInfo.InvariantCulture),
        "name " + i.ToString(CultureInfo.InvariantCulture),
        (i * 1.25m).ToString("0.00", CultureInfo.InvariantCulture),
        "2024-01-01 00:00:00+00",
    ];

    private void Report(string what, TimeSpan elapsed) =>
        output.WriteLine($"{what}: {Rows:N0} rows in {elapsed.TotalSeconds:0.00} s = {Rows / elapsed.TotalSeconds:N0} rows/s");
}
