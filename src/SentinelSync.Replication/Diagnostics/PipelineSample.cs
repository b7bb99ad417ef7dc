namespace SentinelSync.Replication.Diagnostics;

/// <summary>A pipeline as the silo running its source last sampled it, for the <c>sentinel_pipeline_*</c> gauges.</summary>
/// <param name="RetainedBytes">Null when the slot could not be read (the source unreachable, the slot missing).</param>
public sealed record PipelineSample(string Pipeline, string Phase, double LagSeconds, long? RetainedBytes, int StoppedTables);
