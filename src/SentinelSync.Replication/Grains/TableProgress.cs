namespace SentinelSync.Replication.Grains;

/// <summary>One table of a pipeline: what was pushed to it and where each of its sinks stands.</summary>
[GenerateSerializer]
[Immutable]
public sealed record TableProgress(TableName Table, long PushedChanges, Position Pushed, IReadOnlyList<SinkProgress> Sinks);
