namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>
/// Tests that stop the shared ClickHouse server: they run alone, after the parallel tests, so that no other test
/// sees the server down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClickHouseOutageCollection
{
    public const string Name = "ClickHouse outage";
}
