namespace SentinelSync.Admin;

/// <summary>One table of a pipeline in <c>GET /api/pipelines</c>: what the source pushed, and each sink.</summary>
internal sealed record TableReport(
    string Table,
    string Pushed,
    long PushedChanges,
    double RowsPerSecond,
    long? LagBytes,
    double LagSeconds,
    IReadOnlyList<SinkReport> Sinks);
