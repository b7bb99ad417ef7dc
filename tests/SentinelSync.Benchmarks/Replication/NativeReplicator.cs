using SentinelSync.Testing;

namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Postgres' own logical replication: the destination gets the source's schema (pg_dump --schema-only), the source
/// a publication FOR ALL TABLES, the destination a subscription with default options (copy_data, no streaming of
/// in-progress transactions, text format, synchronous_commit off in the apply worker).
/// </summary>
internal sealed class NativeReplicator(string sourceDatabase, string destinationDatabase, string name) : IReplicator
{
    public string Name => "native";

    public int? ProcessId => null;

    private string Destination => BenchPostgres.Destination(destinationDatabase);

    /// <summary>The destination's schema and the source's publication, before the clock starts.</summary>
    public async Task PrepareAsync()
    {
        await BenchPostgres.CopySchemaAsync(sourceDatabase, destinationDatabase);
        await BenchPostgres.ExecuteAsync(BenchPostgres.Source(sourceDatabase), $"CREATE PUBLICATION {BenchPostgres.Quote(name)} FOR ALL TABLES");
    }

    public async Task StartAsync()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(TestServers.Postgres);
        var conninfo = $"host={builder.Host} port={builder.Port} user={builder.Username ?? "postgres"} dbname={sourceDatabase} application_name={name}";
        // CREATE SUBSCRIPTION takes no parameters; the connection string is built from our own settings above.
        await BenchPostgres.ExecuteAsync(Destination, $"CREATE SUBSCRIPTION {BenchPostgres.Quote(name)} CONNECTION '{conninfo.Replace("'", "''", StringComparison.Ordinal)}' PUBLICATION {BenchPostgres.Quote(name)} WITH (copy_data = true)");
    }

    /// <summary>Waits until every table of the subscription is in state 'r' (ready: copied and caught up).</summary>
    public Task WaitAllReadyAsync(TimeSpan within) => Eventually.WaitAsync(
        async () => await BenchPostgres.ScalarAsync<long>(Destination, "SELECT count(*) FILTER (WHERE srsubstate <> 'r') + CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM pg_subscription_rel") == 0,
        within,
        () => $"subscription {name}: every table in state 'r'");

    public async Task PauseAsync()
    {
        await BenchPostgres.ExecuteAsync(Destination, $"ALTER SUBSCRIPTION {BenchPostgres.Quote(name)} DISABLE");
        await Eventually.WaitAsync(
            async () => await BenchPostgres.ScalarAsync<long>(Destination, "SELECT count(*) FROM pg_stat_subscription WHERE subname = $1 AND pid IS NOT NULL", name) == 0,
            TimeSpan.FromSeconds(30),
            () => $"the apply worker of {name} to exit after DISABLE");
    }

    public Task ResumeAsync() => BenchPostgres.ExecuteAsync(Destination, $"ALTER SUBSCRIPTION {BenchPostgres.Quote(name)} ENABLE");

    public async Task<(double? PeakRssMiB, double? CpuSeconds)> StopAsync()
    {
        await BenchPostgres.ExecuteAsync(Destination, $"DROP SUBSCRIPTION IF EXISTS {BenchPostgres.Quote(name)}");
        return (null, null);
    }

    public async ValueTask DisposeAsync() => await BenchPostgres.ExecuteAsync(Destination, $"DROP SUBSCRIPTION IF EXISTS {BenchPostgres.Quote(name)}");
}
