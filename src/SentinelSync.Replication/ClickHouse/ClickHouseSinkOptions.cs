using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Options of a ClickHouse destination (config section <c>sinks[n].clickhouse</c>), reached over its HTTP interface.
/// Offsets and the schema history live in the control database (Postgres), not in ClickHouse, which has no
/// transactions to tie them to the data.
/// </summary>
public sealed class ClickHouseSinkOptions
{
    public const string SectionName = "clickhouse";

    /// <summary>HTTP interface of the server, e.g. <c>http://127.0.0.1:8123</c> (required).</summary>
    public string Url { get; set; } = "";

    /// <summary>Database the target tables are created in (required; created when missing).</summary>
    public string Database { get; set; } = "";

    /// <summary>ClickHouse user; <c>default</c> unless set.</summary>
    public string User { get; set; } = "default";

    /// <summary>Password of <see cref="User"/>; never logged, never part of a URL.</summary>
    public string Password { get; set; } = "";

    /// <summary>What happens to a destination column when its source column is dropped.</summary>
    public DroppedColumnPolicy DroppedColumns { get; set; } = DroppedColumnPolicy.KeepNullable;

    /// <summary>
    /// Gzip the insert bodies (<c>Content-Encoding: gzip</c>, which 18.16 decompresses without a setting). Off by
    /// default: gzip only spends CPU on the sink's host, and on loopback or a LAN the bytes it saves cost less than
    /// that (1,000,000 rows through the sink on 2 cores: 242,000 rows/s plain, 186,000 rows/s gzipped). Turn it on
    /// when the link to ClickHouse is slow or metered.
    /// </summary>
    public bool CompressInserts { get; set; }

    /// <summary>
    /// A PEM file of the CA(s) that signed the server's certificate, for an <c>https://</c> URL the system's trust
    /// store does not vouch for: then only chains to these are accepted (the host name is checked either way).
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>Timeout of one HTTP request (an insert of a whole batch included).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The least time between two streamed inserts into one table (<see cref="Pipelines.ISink.MinApplyInterval"/>).
    /// Every insert makes a ClickHouse part, merged later on the server's CPU, and costs the control database an
    /// offset round trip: while a table changes faster than inserts complete, waiting this long gathers the changes
    /// into fewer, larger inserts. A change after a quiet spell is inserted at once; under load a change waits up to
    /// this long. Zero inserts whatever is queued as soon as the previous insert is done.
    /// </summary>
    public TimeSpan MinInsertInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest <see cref="MinInsertInterval"/> accepted: beyond it a busy table's changes would wait long enough to look stuck.</summary>
    public static readonly TimeSpan MaxMinInsertInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Maps a source column to the Postgres type name it should be mapped as (for example a domain to its base
    /// type, <c>positive_int</c> → <c>integer</c>). Return null to keep the column's own type name. Types the
    /// mapping does not know (enums, domains, extension types) become <c>String</c> holding the exact text.
    /// </summary>
    public Func<TableName, ColumnSchema, string?>? SourceTypeOverride { get; set; }

    /// <summary>
    /// One problem per mistake, each naming its key below <paramref name="section"/>
    /// (<c>pipelines[0].sinks[1].clickhouse.url</c>); empty when usable. No problem quotes the password or the
    /// credentials of a URL.
    /// </summary>
    public IReadOnlyList<OptionProblem> Validate(string section = SectionName)
    {
        var problems = new List<OptionProblem>();
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add(new OptionProblem($"{section}.url", $"must be the absolute http(s) URL of the server's HTTP interface (e.g. http://127.0.0.1:8123), not '{WithoutCredentials(Url)}'"));
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problems.Add(new OptionProblem($"{section}.url", $"must not carry credentials; use {section}.user and {section}.password"));
        }

        if (CaFile is not null)
        {
            if (uri is null || uri.Scheme != Uri.UriSchemeHttps)
            {
                problems.Add(new OptionProblem($"{section}.caFile", "applies to an https:// url only; the url is not https"));
            }
            else if (CaProblem(CaFile) is { } caProblem)
            {
                problems.Add(new OptionProblem($"{section}.caFile", caProblem));
            }
        }

        if (string.IsNullOrWhiteSpace(Database) || Database.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add(new OptionProblem($"{section}.database", "required: the ClickHouse database the tables are created in"));
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            problems.Add(new OptionProblem($"{section}.user", "must be set (ClickHouse's own is 'default')"));
        }

        if (!Enum.IsDefined(DroppedColumns))
        {
            problems.Add(new OptionProblem($"{section}.droppedColumns", $"must be one of {string.Join(", ", Enum.GetNames<DroppedColumnPolicy>())}"));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add(new OptionProblem($"{section}.requestTimeout", "must be positive (e.g. 00:05:00)"));
        }

        if (MinInsertInterval < TimeSpan.Zero || MinInsertInterval > MaxMinInsertInterval)
        {
            problems.Add(new OptionProblem($"{section}.minInsertInterval", $"must be between 00:00:00 and {MaxMinInsertInterval:c} (e.g. 00:00:00.200), not {MinInsertInterval:c}"));
        }

        return problems;
    }

    private static string? CaProblem(string caFile)
    {
        try
        {
            return Security.PrivateCaTrust.Load(caFile).Count == 0 ? $"{caFile} holds no PEM certificate" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"{caFile} cannot be read as PEM certificates: {e.Message}";
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming every offending key.</summary>
    public void ValidateOrThrow()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems.Select(p => p.ToString())));
        }
    }

    /// <summary>
    /// The target table of <paramref name="source"/> inside <see cref="Database"/>: the table's name for schema
    /// <c>public</c> (<c>public.orders</c> → <c>orders</c>), <c>schema__name</c> otherwise.
    /// </summary>
    internal static string TargetOf(TableName source) => source.Schema == "public" ? source.Name : source.Schema + "__" + source.Name;

    internal string TypeNameOf(TableName source, ColumnSchema column) => SourceTypeOverride?.Invoke(source, column) ?? column.TypeName;

    /// <summary>Everything but the password (and credentials a URL should not have carried).</summary>
    public override string ToString() => $"{WithoutCredentials(Url)} database={Database} user={User}";

    /// <summary>A URL as it may be shown: any <c>user:password@</c> part cut out, whatever the scheme.</summary>
    private static string WithoutCredentials(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        return at < 0 ? url : url[..authorityStart] + "***@" + url[(authorityStart + at + 1)..];
    }
}
