using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SentinelSync.Replication;
using SentinelSync.Testing;
using Xunit.Abstractions;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// A measurement, not a timed assertion: prints rows/s for 1,000,000 rows in batches of 100,000 through the sink
/// (TabSeparated, gzipped and not) and as raw inserts of the same rows in TabSeparated, JSONEachRow and
/// RowBinary into the same table; checks only that every row arrived. Exclude with
/// <c>--filter Category!=Measurement</c>.
/// </summary>
[Trait("Category", "Measurement")]
public sealed class ClickHouseSinkThroughputTests(ITestOutputHelper output)
{
    private const int Rows = 1_000_000;
    private const int BatchSize = 100_000;
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task Measure_one_million_rows_per_format()
    {
        foreach (var gzip in new[] { true, false })
        {
            await using var target = await ClickHouseSinkTarget.CreateAsync(o => o.CompressInserts = gzip);
            var schema = Table("measured", 1, Key("id", "bigint"), Column("name", "text"), Column("amount", "numeric(12,2)"), Column("at", "timestamp with time zone"));
            var batches = Enumerable.Range(0, Rows / BatchSize).Select(b =>
            {
                var builder = new ChangeBatchBuilder(schema, (ulong)(0x10000 + (b * BatchSize)));
                for (var i = b * BatchSize; i < (b + 1) * BatchSize; i++)
                {
                    builder.Insert(I(i), $"name {I(i)} \t'q'", string.Create(CultureInfo.InvariantCulture, $"{i % 100000}.{i % 100:00}"), string.Create(CultureInfo.InvariantCulture, $"2024-02-29 12:{i / 60 % 60:00}:{i % 60:00}.{i % 1000000:000000}+00"));
                }

                return builder.Build();
            }).ToList();
            await target.Sink.EnsureTableAsync(schema);

            var watch = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                await target.Sink.ApplyAsync(batch, ClickHouseSinkTarget.SinkName, 1);
            }

            Report($"sink, TabSeparated{(gzip ? " + gzip" : "")}", watch.Elapsed);
            (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM measured")).ShouldBe(Rows);
            if (!gzip)
            {
                continue;
            }

            foreach (var (format, encode) in new (string, Func<int, byte[]>)[] { ("TabSeparated", Tsv), ("JSONEachRow", Json), ("RowBinary", RowBinary) })
            {
                await target.ClickHouse.QueryAsync("TRUNCATE TABLE measured");
                var bodies = Enumerable.Range(0, Rows / BatchSize).Select(encode).ToList();
                watch.Restart();
                foreach (var body in bodies)
                {
                    // The columns the sink fills for these rows (amount__text, the lossless fallback, stays NULL).
                    var uri = new UriBuilder(target.ClickHouse.Server) { Query = $"database={target.ClickHouse.Name}&query={Uri.EscapeDataString($"INSERT INTO measured (id, name, amount, at, at__us, _version, _deleted) FORMAT {format}")}" }.Uri;
                    using var response = await s_http.PostAsync(uri, new ByteArrayContent(body));
                    response.EnsureSuccessStatusCode();
                }

                Report($"raw {format} (body prebuilt, no gzip)", watch.Elapsed);
                (await target.ClickHouse.ScalarAsync<long>("SELECT count() FROM measured")).ShouldBe(Rows);
            }
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static long Micros(int i) => 762_525_296_000_000 + (i % 1_000_000);

    private static byte[] Tsv(int batch)
    {
        var builder = new StringBuilder();
        for (var i = batch * BatchSize; i < (batch + 1) * BatchSize; i++)
        {
            builder.Append(I(i)).Append("\tname ").Append(I(i)).Append(" \\t\\'q\\'\t").Append(I(i % 100000)).Append('.').Append(I(i % 100)).Append("\t2024-02-29 12:00:00\t")
                .Append(Micros(i)).Append('\t').Append(I(batch + 1)).Append("\t0\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static byte[] Json(int batch)
    {
        var builder = new StringBuilder();
        for (var i = batch * BatchSize; i < (batch + 1) * BatchSize; i++)
        {
            builder.Append("{\"id\":").Append(I(i)).Append(",\"name\":\"name ").Append(I(i)).Append(" \\t'q'\",\"amount\":").Append(I(i % 100000)).Append('.').Append(I(i % 100))
                .Append(",\"at\":\"2024-02-29 12:00:00\",\"at__us\":").Append(Micros(i)).Append(",\"_version\":").Append(I(batch + 1)).Append(",\"_deleted\":0}\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static byte[] RowBinary(int batch)
    {
        using var stream = new MemoryStream();
        Span<byte> buffer = stackalloc byte[8];
        for (var i = batch * BatchSize; i < (batch + 1) * BatchSize; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, i);
            stream.Write(buffer);
            var name = Encoding.UTF8.GetBytes($"name {I(i)} \t'q'");
            stream.WriteByte(0); // not NULL
            stream.WriteByte((byte)name.Length); // LEB128 length, < 128 here
            stream.Write(name);
            stream.WriteByte(0);
            BinaryPrimitives.WriteInt64LittleEndian(buffer, ((i % 100000) * 100L) + (i % 100)); // Decimal(12,2) as Int64
            stream.Write(buffer);
            stream.WriteByte(0);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, 1_709_208_000); // DateTime 2024-02-29 12:00:00 UTC
            stream.Write(buffer[..4]);
            stream.WriteByte(0);
            BinaryPrimitives.WriteInt64LittleEndian(buffer, Micros(i));
            stream.Write(buffer);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)(batch + 1));
            stream.Write(buffer);
            stream.WriteByte(0);
        }

        return stream.ToArray();
    }

    private void Report(string what, TimeSpan elapsed) =>
        output.WriteLine($"{what,-45} {Rows / elapsed.TotalSeconds,12:N0} rows/s ({elapsed.TotalSeconds:N2} s for {Rows:N0} rows in batches of {BatchSize:N0})");
}
