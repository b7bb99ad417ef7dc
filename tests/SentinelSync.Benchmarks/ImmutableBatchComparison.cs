using System.Diagnostics;
using System.Globalization;
using SentinelSync.Replication;
using SentinelSync.Testing;

namespace SentinelSync.Benchmarks;

/// <summary>Local calls carrying a large <see cref="ChangeBatch"/>, to show what <c>[Immutable]</c> saves (part of <see cref="OrleansCallBenchmark"/>).</summary>
internal static class ImmutableBatchComparison
{
    /// <summary>
    /// The same rows as an <c>[Immutable]</c> <see cref="ChangeBatch"/> (passed by reference), inside a copied
    /// envelope, and in types without the attribute (every row and values array deep-copied on a local call).
    /// </summary>
    public static async Task<List<(string Label, double Microseconds, double BytesPerCall)>> RunAsync(IPingGrain grain, int rows, int calls)
    {
        var schema = ChangeBatchBuilder.Table("items", 1, ChangeBatchBuilder.Key("id", "bigint"), ChangeBatchBuilder.Column("name", "text"),
            ChangeBatchBuilder.Column("amount", "numeric(12,2)"), ChangeBatchBuilder.Column("at", "timestamptz"));
        var builder = new ChangeBatchBuilder(schema);
        for (var i = 0; i < rows; i++)
        {
            builder.Insert(i.ToString(CultureInfo.InvariantCulture), $"name {i}", "12.34", "2026-11-30 05:00:00+00");
        }

        var batch = builder.Build();
        var envelope = new BatchEnvelope(batch);
        var mutable = MutableChangeBatch.Of(batch);
        (string, Func<Task<int>>)[] shapes =
        [
            ("`[Immutable]` ChangeBatch", () => grain.TakeAsync(batch)),
            ("ChangeBatch in a non-immutable envelope", () => grain.TakeEnvelopeAsync(envelope)),
            ("same rows in non-immutable types (deep copy)", () => grain.TakeMutableAsync(mutable)),
        ];
        var results = new List<(string, double, double)>();
        foreach (var (label, call) in shapes)
        {
            for (var i = 0; i < calls / 4; i++)
            {
                await call();
            }

            var bytes = GC.GetTotalAllocatedBytes(true);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                if (await call() != rows)
                {
                    throw new InvalidOperationException($"{label}: the grain received a batch of the wrong size.");
                }
            }

            results.Add((label, watch.Elapsed.TotalMicroseconds / calls, (GC.GetTotalAllocatedBytes(true) - bytes) / (double)calls));
        }

        return results;
    }
}
