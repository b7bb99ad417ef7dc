namespace SentinelSync.Replication.Postgres;

/// <summary>
/// A source type could not be created at the destination: <see cref="Statement"/> is what failed (or what an
/// operator has to provide by hand), the inner exception says why.
/// </summary>
internal sealed class TypeCreationFailedException(string typeName, string statement, string reason, Exception? innerException = null)
    : InvalidOperationException($"creating {typeName} needs `{statement}`, which {reason}", innerException)
{
    public string TypeName { get; } = typeName;

    public string Statement { get; } = statement;
}
