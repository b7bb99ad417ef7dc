using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// Options of a ClickHouse destination (config section <c>sinks:clickhouse</c>), reached over its HTTP interface.
/// Offsets and the schema history live in the control database (Postgres), not in ClickHouse, which has no
/// transactions to tie them to the data.
/// </summary>
public sealed class ClickHouseSinkOptions
{
    public const string SectionName = "sinks:clickhouse";

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

    /// <summary>Gzip the insert bodies (<c>Content-Encoding: gzip</c>, which 18.16 decompresses without a setting).</summary>
    public bool CompressInserts { get; set; } = true;

    /// <summary>Timeout of one HTTP request (an insert of a whole batch included).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Maps a source column to the Postgres type name it should be mapped as (for example a domain to its base
    /// type, <c>positive_int</c> → <c>integer</c>). Return null to keep the column's own type name. Types the
    /// mapping does not know (enums, domains, extension types) become <c>String</c> holding the exact text.
    /// </summary>
    public Func<TableName, ColumnSchema, string?>? SourceTypeOverride { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the offending key.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{SectionName}:url must be the absolute http(s) URL of the server's HTTP interface, not '{Url}'.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException($"{SectionName}:url must not carry credentials; use {SectionName}:user and {SectionName}:password.");
        }

        if (string.IsNullOrWhiteSpace(Database) || Database.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{SectionName}:database must name the target database.");
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            throw new ArgumentException($"{SectionName}:user must be set (ClickHouse's own is 'default').");
        }

        if (!Enum.IsDefined(DroppedColumns))
        {
            throw new ArgumentException($"{SectionName}:droppedColumns must be one of {string.Join(", ", Enum.GetNames<DroppedColumnPolicy>())}.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{SectionName}:requestTimeout must be positive.");
        }
    }

    /// <summary>
    /// The target table of <paramref name="source"/> inside <see cref="Database"/>: the table's name for schema
    /// <c>public</c> (<c>public.orders</c> → <c>orders</c>), <c>schema__name</c> otherwise.
    /// </summary>
    internal static string TargetOf(TableName source) => source.Schema == "public" ? source.Name : source.Schema + "__" + source.Name;

    internal string TypeNameOf(TableName source, ColumnSchema column) => SourceTypeOverride?.Invoke(source, column) ?? column.TypeName;

    /// <summary>Everything but the password.</summary>
    public override string ToString() => $"{Url} database={Database} user={User}";
}
