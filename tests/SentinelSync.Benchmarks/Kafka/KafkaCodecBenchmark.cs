using System.Diagnostics;
using System.Globalization;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Debezium;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Benchmarks.Kafka;

/// <summary>
/// <c>kafka-codec [--messages N]</c>: the per-message CPU of the Kafka path's own code, without brokers, grains or
/// databases, so that it can be compared before and after a change on a noisy machine: the Kafka sink's Debezium JSON
/// writing (with schema blocks, as the <c>kafka</c> benchmark configures it) and the Kafka source's decoding into
/// row changes (decoder, table-shape check, placement into the schema), for the <c>kafka</c> benchmark's two busiest
/// tables' shapes: a pgbench account update and a wide-row update whose TOAST body is unchanged. Prints CPU µs and
/// bytes allocated per message, best of five rounds. 100,000 messages by default: with 20,000 the first shape's
/// rounds all ran before the JIT had tiered its code up, which read 4 times slower (decode 9.7–10.1 against 2.35 µs a
/// pgbench message, encode 4.0 against 1.2; 2026-12-03).
/// </summary>
internal static class KafkaCodecBenchmark
{
    public static int Run(string[] arguments)
    {
        var at = Array.IndexOf(arguments, "--messages");
        var count = at >= 0 && at + 1 < arguments.Length ? int.Parse(arguments[at + 1], CultureInfo.InvariantCulture) : 100_000;
        foreach (var (name, changes) in new[] { ("pgbench_accounts update", Accounts(count)), ("wide_rows update, TOAST unchanged", Wide(count)) })
        {
            var writer = new DebeziumJsonEvents("bench", "kbench_src", withSchemas: true, "precise");
            var events = new List<DebeziumEvent>(changes.Count);
            var produced = 0L;
            var encode = Measure(() =>
            {
                // As the sink does: a batch's events first, then each message's bytes as librdkafka is handed them.
                events.Clear();
                foreach (var change in changes)
                {
                    events.AddRange(writer.Of(change));
                }

                var keys = new ExactLengthArrays();
                var values = new ExactLengthArrays();
                foreach (var e in events)
                {
                    produced += (keys.Of(e.KeyBytes)?.Length ?? 0) + (values.Of(e.ValueBytes)?.Length ?? 0);
                }
            });
            var encoded = events.Select(e => (e.Key, e.Value)).ToList();
            var table = changes[0].Schema.Table;
            var decode = Measure(() =>
            {
                var decoder = new EnvelopeDecoder(scylla: false);
                TableSchema? schema = null;
                for (var i = 0; i < encoded.Count; i++)
                {
                    var change = decoder.Decode(new KafkaMessage($"bench.public.{table.Name}", 0, i, encoded[i].Key, encoded[i].Value)).Change!;
                    if (!KafkaTableShape.Covers(schema, change.ObservedColumns))
                    {
                        schema = KafkaTableShape.Merge(table, schema, change.ObservedColumns);
                    }

                    KafkaChanges.ToRowChange(change, schema!, i);
                }
            });
            var bytes = encoded.Average(e => (e.Key?.Length ?? 0) + (e.Value?.Length ?? 0));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {bytes:N0} bytes/message; encode {encode.Micros / count:N2} µs, {encode.Bytes / count:N0} B allocated; decode {decode.Micros / count:N2} µs, {decode.Bytes / count:N0} B allocated (per message, best of 5)"));
        }

        return 0;
    }

    private static (double Micros, double Bytes) Measure(Action round)
    {
        var best = (Micros: double.MaxValue, Bytes: 0.0);
        for (var i = 0; i < 5; i++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            round();
            var micros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds;
            if (micros < best.Micros)
            {
                best = (micros, GC.GetAllocatedBytesForCurrentThread() - allocated);
            }
        }

        return best;
    }

    private static List<RowChange> Accounts(int count)
    {
        var schema = new TableSchema(new TableName("public", "pgbench_accounts"), 1, [
            new ColumnSchema("aid", "integer", 23, true, 1),
            new ColumnSchema("bid", "integer", 23, false, 2),
            new ColumnSchema("abalance", "integer", 23, false, 3),
            new ColumnSchema("filler", "character(84)", 1042, false, 4)]);
        return [.. Enumerable.Range(1, count).Select(i => new RowChange(ChangeKind.Update, new Position((ulong)(1000 + i), 0), schema, [
            ColumnValue.Of(i.ToString(CultureInfo.InvariantCulture)), ColumnValue.Of("1"), ColumnValue.Of((i * 7 % 5000 - 2500).ToString(CultureInfo.InvariantCulture)), ColumnValue.Of(new string(' ', 84))])
        {
            TransactionId = (uint)(700 + i), CommitTime = DateTimeOffset.UnixEpoch.AddDays(20_000),
        })];
    }

    private static List<RowChange> Wide(int count)
    {
        var schema = new TableSchema(new TableName("public", "wide_rows"), 1, [
            new ColumnSchema("id", "bigint", 20, true, 1),
            new ColumnSchema("name", "text", 25, false, 2),
            new ColumnSchema("amount", "numeric(14,4)", 1700, false, 3),
            new ColumnSchema("attrs", "jsonb", 3802, false, 4),
            new ColumnSchema("body", "text", 25, false, 5),
            new ColumnSchema("marker", "text", 25, false, 6),
            new ColumnSchema("updated_at", "timestamp with time zone", 1184, false, 7)]);
        return [.. Enumerable.Range(1, count).Select(i => new RowChange(ChangeKind.Update, new Position((ulong)(1000 + i), 0), schema, [
            ColumnValue.Of(i.ToString(CultureInfo.InvariantCulture)), ColumnValue.Of($"row {i}"), ColumnValue.Of((i * 1.2345m).ToString("F4", CultureInfo.InvariantCulture)),
            ColumnValue.Of($$$"""{"i": {{{i}}}, "n": {{{i}}}, "tags": ["a", "b", {{{i % 7}}}], "nested": {"x": {{{i % 100}}}}}"""), ColumnValue.Unchanged, ColumnValue.Null,
            ColumnValue.Of("2026-11-30 15:13:01.123456+00")])
        {
            TransactionId = (uint)(700 + i), CommitTime = DateTimeOffset.UnixEpoch.AddDays(20_000),
        })];
    }
}
