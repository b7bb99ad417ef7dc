namespace SentinelSync.Tests.Diagnostics;

/// <summary>Tests that attach listeners to <c>SentinelSync.Pipeline</c> or assert that none is attached run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class TracingCollection
{
    public const string Name = "SentinelSync.Pipeline tracing";
}
