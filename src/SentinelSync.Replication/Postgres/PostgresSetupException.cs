namespace SentinelSync.Replication.Postgres;

/// <summary>
/// The source database is not ready for CDC, or the table selection does not match it. <see cref="Problems"/>
/// holds one plain-language sentence per problem, each saying what is missing and how to fix it.
/// </summary>
public sealed class PostgresSetupException : Exception
{
    /// <summary>Creates the exception for the given problems.</summary>
    public PostgresSetupException(IReadOnlyList<string> problems)
        : base("The Postgres source cannot be set up:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "- " + p)))
    {
        Problems = problems;
    }

    /// <summary>One sentence per problem.</summary>
    public IReadOnlyList<string> Problems { get; }
}
