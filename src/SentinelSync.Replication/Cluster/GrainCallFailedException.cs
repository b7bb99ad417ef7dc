namespace SentinelSync.Replication.Cluster;

/// <summary>
/// An exception of a library type that Orleans cannot carry between silos (an Npgsql or ClickHouse error, for
/// one, would arrive as <c>CodecNotFoundException</c>): the original type's name, its message and, for a
/// database error, its SQLSTATE, raised in its place by <see cref="ExceptionWrappingFilter"/>.
/// </summary>
[GenerateSerializer]
public sealed class GrainCallFailedException : Exception
{
    public GrainCallFailedException(string originalType, string message, string? sqlState)
        : base($"{originalType}: {message}")
    {
        OriginalType = originalType;
        SqlState = sqlState;
    }

    [Id(0)]
    public string OriginalType { get; }

    [Id(1)]
    public string? SqlState { get; }
}
