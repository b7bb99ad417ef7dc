namespace SentinelSync.Replication;

/// <summary>One problem with a connector's options: the key as users write it (<c>pipelines[0].source.postgres.slot</c>) and what is wrong.</summary>
public sealed record OptionProblem(string Key, string Problem)
{
    public override string ToString() => $"{Key}: {Problem}";
}
