using SentinelSync.Runtime;

namespace SentinelSync.Benchmarks;

public interface IPingGrain : IGrainWithStringKey
{
    Task PingAsync();
}

/// <summary>The trivial method whose cost is the runtime's own.</summary>
public sealed class PingGrain : Grain, IPingGrain
{
    public Task PingAsync() => Task.CompletedTask;
}
