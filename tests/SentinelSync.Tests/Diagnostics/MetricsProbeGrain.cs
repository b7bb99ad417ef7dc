using SentinelSync.Runtime;

namespace SentinelSync.Tests.Diagnostics;

/// <summary>A grain only the metrics tests call, so its series count exactly what they did.</summary>
public interface IMetricsProbeGrain : IGrainWithStringKey
{
    Task PingAsync();
}

public sealed class MetricsProbeGrain : Grain, IMetricsProbeGrain
{
    public Task PingAsync() => Task.CompletedTask;
}
