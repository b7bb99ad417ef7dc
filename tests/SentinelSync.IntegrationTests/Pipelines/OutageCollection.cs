namespace SentinelSync.IntegrationTests.Pipelines;

/// <summary>Tests that stop a shared server: they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutageCollection
{
    public const string Name = "Server outages";
}
