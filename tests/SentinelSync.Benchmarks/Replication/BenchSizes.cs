namespace SentinelSync.Benchmarks.Replication;

/// <summary>Sizes of one run: <see cref="Full"/> (about 20 minutes on 2 cores) or <see cref="Quick"/> (a smoke run of a few minutes).</summary>
internal sealed record BenchSizes(
    string Mode, int PgbenchScale, int WideRows, TimeSpan LiveLoad, TimeSpan BacklogLoad, int SnapshotRows, int ClickHouseSnapshotRows, int ClickHouseChanges)
{
    public static readonly BenchSizes Full = new("full", 10, 20_000, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(60), 5_000_000, 1_000_000, 300_000);

    public static readonly BenchSizes Quick = new("quick", 2, 2_000, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), 300_000, 100_000, 30_000);
}
