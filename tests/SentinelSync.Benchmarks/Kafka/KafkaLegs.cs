using System.Diagnostics;
using SentinelSync.Benchmarks.Replication;

namespace SentinelSync.Benchmarks.Kafka;

/// <summary>
/// <c>kafka --legs</c>: after the usual backlog, a second one drained a leg at a time. Both pipelines are paused while
/// the load writes; then <c>bench_out</c> alone (Postgres → Kafka) until the Kafka sink has stored a position at or
/// past the closing marker transaction for every table the marker changes, then <c>bench_in</c> alone (Kafka → Postgres)
/// until the marker is visible at the destination. Each leg has the machine to itself, as on hardware of its own in a
/// deployment, where the end-to-end rate is the slower leg's rather than what both legs sharing two cores reach.
/// </summary>
internal static class KafkaLegs
{
    /// <summary>The Kafka sink's row key in <c>sentinel.kafka_offsets</c> (pipeline/sink).</summary>
    private const string OutboundSink = BenchKafka.OutboundPipeline + "/bus";

    public static async Task<LegsResult> RunAsync(SentinelReplicator replicator, Workload workload, string destination, BenchSizes sizes, BenchDatabases db)
    {
        await replicator.PauseAsync();
        await replicator.PauseInboundAsync();
        var before = await workload.ChangesSoFarAsync();
        await workload.RunLoadAsync(sizes.BacklogLoad);
        // The load has stopped: every change of the marker transaction lies at or past this position.
        var markerFrom = await BenchPostgres.ScalarAsync<string>(workload.Source, "SELECT pg_current_wal_insert_lsn()::text");
        var marker = await workload.CommitMarkerAsync();
        var changes = await workload.ChangesSoFarAsync() - before;

        var cpu = SiloCpuSeconds(replicator);
        var watch = Stopwatch.StartNew();
        await replicator.ResumeAsync();
        await WaitForKafkaSinkAsync(BenchPostgres.Source(db.Control), markerFrom, TimeSpan.FromMinutes(15));
        var outbound = (Seconds: watch.Elapsed.TotalSeconds, Cpu: SiloCpuSeconds(replicator) - cpu);

        cpu = SiloCpuSeconds(replicator);
        watch.Restart();
        await replicator.ResumeInboundAsync();
        await Workload.WaitForMarkerAsync(destination, marker, TimeSpan.FromMinutes(15));
        var inbound = (Seconds: watch.Elapsed.TotalSeconds, Cpu: SiloCpuSeconds(replicator) - cpu);

        var result = new LegsResult(changes, outbound.Seconds, outbound.Cpu, inbound.Seconds, inbound.Cpu);
        Console.WriteLine($"[via-kafka] legs: {changes:N0} changes; Postgres → Kafka alone {result.OutboundSeconds:N2} s ({result.OutboundChangesPerSecond:N0} changes/s, silo {result.OutboundCpuSeconds:N1} CPU s), then Kafka → Postgres alone {result.InboundSeconds:N2} s ({result.InboundChangesPerSecond:N0} changes/s, silo {result.InboundCpuSeconds:N1} CPU s)");
        return result;
    }

    private static double SiloCpuSeconds(SentinelReplicator replicator) =>
        replicator.ProcessId is { } pid && ResourceSampler.Ticks(pid) is { } ticks ? ticks / 100.0 : double.NaN;

    /// <summary>Waits until the Kafka sink stored a position at or past <paramref name="markerFrom"/> for each table the marker changes.</summary>
    private static async Task WaitForKafkaSinkAsync(string control, string markerFrom, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (await BenchPostgres.ScalarAsync<long>(control, "SELECT count(*) FROM sentinel.kafka_offsets WHERE sink = $1 AND lsn >= $2::pg_lsn", OutboundSink, markerFrom) < Workload.Tables.Length)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Kafka sink did not reach the marker ({markerFrom}) within {within}.");
            }

            await Task.Delay(5);
        }
    }
}

/// <summary>A backlog drained a leg at a time (<see cref="KafkaLegs"/>).</summary>
internal sealed record LegsResult(long Changes, double OutboundSeconds, double OutboundCpuSeconds, double InboundSeconds, double InboundCpuSeconds)
{
    public double OutboundChangesPerSecond => Changes / OutboundSeconds;

    public double InboundChangesPerSecond => Changes / InboundSeconds;
}
