namespace SentinelSync.Admin;

/// <summary>The body of <c>GET /api/pipelines</c>: every configured pipeline, sampled at <see cref="SampledAt"/> by this silo.</summary>
internal sealed record PipelinesReport(string Silo, DateTimeOffset SampledAt, long? PendingDeadLetters, IReadOnlyList<PipelineReport> Pipelines);
