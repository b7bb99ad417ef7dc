using SentinelSync.Replication.Cassandra.Client;
using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Replication.Cassandra;

/// <summary>
/// Options of a Cassandra or ScyllaDB destination (config section <c>sinks[n].cassandra</c>), reached with the
/// project's own CQL client (native protocol v5 or v4, optionally LZ4-compressed). Offsets live in the destination keyspace (<c>sentinel_offsets</c>).
/// </summary>
public sealed class CassandraSinkOptions
{
    public const string SectionName = "cassandra";

    /// <summary><c>host:port</c> of one or more nodes (required); the others are found from system.peers.</summary>
    public List<string> ContactPoints { get; set; } = [];

    /// <summary>The datacenter whose nodes take the writes (required; others are used only when none of it is up).</summary>
    public string LocalDatacenter { get; set; } = "";

    /// <summary>Keyspace of the target tables (required; created when missing with <see cref="Replication"/>).</summary>
    public string Keyspace { get; set; } = "";

    /// <summary>
    /// The replication map of CREATE KEYSPACE, e.g. <c>{'class': 'NetworkTopologyStrategy', 'dc1': 3}</c>; by default
    /// NetworkTopologyStrategy with 3 replicas in <see cref="LocalDatacenter"/>. Used only when the keyspace is created.
    /// </summary>
    public string? Replication { get; set; }

    /// <summary>Consistency of every write: ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM (default), EACH_QUORUM, LOCAL_ONE.</summary>
    public string Consistency { get; set; } = "LOCAL_QUORUM";

    public string? Username { get; set; }

    /// <summary>Password of <see cref="Username"/> (PasswordAuthenticator); never logged.</summary>
    public string? Password { get; set; }

    public CqlTlsOptions Tls { get; set; } = new();

    /// <summary>Partition batches written at the same time (each an unlogged batch of one partition's changes).</summary>
    public int MaxConcurrentWrites { get; set; } = 32;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Frame compression: <c>none</c> (default) or <c>lz4</c> (offered by Cassandra 4.1/5.0 and ScyllaDB).</summary>
    public string Compression { get; set; } = "none";

    /// <summary>Native protocol version: null negotiates (v5 where the node speaks it, else v4); 4 or 5 pins it.</summary>
    public int? ProtocolVersion { get; set; }

    /// <summary>
    /// Per source table (<c>schema.table</c>), a partition/clustering split of its primary key; a table not named here
    /// gets its whole primary key as the partition key (one partition per source row).
    /// </summary>
    public Dictionary<string, CassandraTableOptions> Tables { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The consistency level named by <see cref="Consistency"/>.</summary>
    public CqlConsistency ConsistencyLevel => ParseConsistency(Consistency) ?? CqlConsistency.LocalQuorum;

    /// <summary>The CREATE KEYSPACE replication map actually used.</summary>
    public string ReplicationOrDefault => string.IsNullOrWhiteSpace(Replication)
        ? $"{{'class': 'NetworkTopologyStrategy', {CqlIdentifier.Literal(LocalDatacenter)}: 3}}"
        : Replication;

    /// <summary>One problem per mistake, each naming its key below <paramref name="section"/>; no problem quotes the password.</summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (ContactPoints.Count == 0)
        {
            problems.Add(new OptionProblem($"{section}.contactPoints", "needs at least one node as host:port (e.g. [\"10.0.0.5:9042\"])"));
        }

        for (var i = 0; i < ContactPoints.Count; i++)
        {
            try
            {
                CqlSession.ParseContactPoint(ContactPoints[i]);
            }
            catch (ArgumentException e)
            {
                problems.Add(new OptionProblem($"{section}.contactPoints[{i}]", e.Message));
            }
        }

        if (string.IsNullOrWhiteSpace(LocalDatacenter))
        {
            problems.Add(new OptionProblem($"{section}.localDatacenter", "required: the datacenter whose nodes take the writes (nodetool status names it)"));
        }

        if (string.IsNullOrWhiteSpace(Keyspace) || Keyspace.Length > 48 || !Keyspace.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            problems.Add(new OptionProblem($"{section}.keyspace", $"must be 1-48 letters, digits or underscores (a Cassandra keyspace name), not '{Keyspace}'"));
        }

        if (Replication is { } replication && !(replication.TrimStart().StartsWith('{') && replication.TrimEnd().EndsWith('}') && replication.Contains("'class'", StringComparison.Ordinal)))
        {
            problems.Add(new OptionProblem($"{section}.replication", "must be a CQL replication map such as {'class': 'NetworkTopologyStrategy', 'dc1': 3}"));
        }

        if (ParseConsistency(Consistency) is not { } consistency || consistency is CqlConsistency.Serial or CqlConsistency.LocalSerial or CqlConsistency.Any)
        {
            problems.Add(new OptionProblem($"{section}.consistency", $"must be one of ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE, not '{Consistency}'"));
        }

        if (Password is not null && Username is null)
        {
            problems.Add(new OptionProblem($"{section}.username", "is needed with a password"));
        }

        if (Tls.CaFile is { } caFile && !File.Exists(caFile))
        {
            problems.Add(new OptionProblem($"{section}.tls.caFile", $"file '{caFile}' does not exist"));
        }

        if (MaxConcurrentWrites is < 1 or > 1024)
        {
            problems.Add(new OptionProblem($"{section}.maxConcurrentWrites", "must be between 1 and 1024"));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add(new OptionProblem($"{section}.requestTimeout", "must be positive (e.g. 00:00:30)"));
        }

        if (!Compression.Equals("none", StringComparison.OrdinalIgnoreCase) && !Compression.Equals("lz4", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new OptionProblem($"{section}.compression", $"must be none or lz4, not '{Compression}'"));
        }

        if (ProtocolVersion is not (null or 4 or 5))
        {
            problems.Add(new OptionProblem($"{section}.protocolVersion", $"must be 4 or 5 (or left out to negotiate), not {ProtocolVersion}"));
        }

        foreach (var (table, split) in Tables)
        {
            var at = $"{section}.tables.{table}";
            var dot = table.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == table.Length - 1)
            {
                problems.Add(new OptionProblem(at, $"'{table}' is not a source table as schema.table (e.g. public.orders)"));
            }

            problems.AddRange(split.Validate(at));
        }

        return problems;
    }

    public void ValidateOrThrow()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())));
        }
    }

    /// <summary>The client options of these sink options (contact points, credentials, TLS, protocol, compression).</summary>
    public CqlClientOptions ClientOptions() => new()
    {
        ContactPoints = ContactPoints,
        LocalDatacenter = LocalDatacenter,
        Username = Username,
        Password = Password,
        Tls = Tls,
        RequestTimeout = RequestTimeout,
        Compression = Compression.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Compression.ToLowerInvariant(),
        ProtocolVersion = (byte?)ProtocolVersion,
    };

    /// <summary>The configured key split of <paramref name="source"/>, or null for the default (the whole key partitions).</summary>
    public CassandraTableOptions? SplitOf(TableName source) => Tables.GetValueOrDefault(source.ToString());

    /// <summary>The target table of a source table: its name for schema <c>public</c>, <c>schema__name</c> otherwise.</summary>
    internal static string TargetOf(TableName source) => source.Schema == "public" ? source.Name : source.Schema + "__" + source.Name;

    public override string ToString() => $"{string.Join(",", ContactPoints)} dc={LocalDatacenter} keyspace={Keyspace} user={Username ?? "(none)"}";

    private static CqlConsistency? ParseConsistency(string? text) =>
        Enum.TryParse<CqlConsistency>(text?.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var level) && Enum.IsDefined(level) ? level : null;
}
