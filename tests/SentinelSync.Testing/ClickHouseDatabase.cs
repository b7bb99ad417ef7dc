using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;

namespace SentinelSync.Testing;

/// <summary>
/// A fresh ClickHouse database for one test, over the HTTP interface (no ADO.NET driver is
/// available here). <see cref="CreateAsync"/> drops a leftover database of the same name first;
/// <see cref="DisposeAsync"/> drops it. Checked against ClickHouse 18.16: <c>DROP DATABASE IF
/// EXISTS</c> (tables included) and <c>CREATE DATABASE IF NOT EXISTS</c>.
/// </summary>
public sealed class ClickHouseDatabase : IAsyncDisposable
{
    // One client for the process: HttpClient is meant to be shared, and tests run in parallel.
    // The system's trust, plus the test CA of eng/setup.sh for the HTTPS-only server.
    private static readonly HttpClient _http = new(new HttpClientHandler { ServerCertificateCustomValidationCallback = TrustsTestCa }) { Timeout = TimeSpan.FromSeconds(60) };

    private readonly Uri _server;
    private int _disposed;

    private ClickHouseDatabase(Uri server, string name)
    {
        _server = server;
        Name = name;
    }

    private static bool TrustsTestCa(HttpRequestMessage request, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        errors == System.Net.Security.SslPolicyErrors.None
        || (File.Exists(TestServers.TlsDirectory + "/ca.crt")
            && Replication.Security.PrivateCaTrust.Validator(Replication.Security.PrivateCaTrust.Load(TestServers.TlsDirectory + "/ca.crt"))(request, certificate, chain, errors));

    /// <summary>The database name, derived from the calling test (see <see cref="TestDatabaseName"/>).</summary>
    public string Name { get; }

    /// <summary>The HTTP interface of the server, e.g. <c>http://127.0.0.1:8123/</c>.</summary>
    public Uri Server => _server;

    /// <summary>
    /// Creates a fresh database on <see cref="TestServers.ClickHouse"/>. Throws
    /// <see cref="TestServerUnavailableException"/> when the server does not answer.
    /// </summary>
    public static Task<ClickHouseDatabase> CreateAsync(
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "",
        CancellationToken cancellationToken = default) =>
        CreateAsync(TestServers.ClickHouse, name, callerFile, cancellationToken);

    /// <summary>Creates a fresh database on the ClickHouse server at <paramref name="server"/>.</summary>
    public static async Task<ClickHouseDatabase> CreateAsync(
        Uri server,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "",
        CancellationToken cancellationToken = default)
    {
        var databaseName = TestDatabaseName.Next(name, callerFile);
        await SendAsync(server, database: null, $"DROP DATABASE IF EXISTS {QuoteIdentifier(databaseName)}", body: null, cancellationToken);
        await SendAsync(server, database: null, $"CREATE DATABASE {QuoteIdentifier(databaseName)}", body: null, cancellationToken);
        return new ClickHouseDatabase(server, databaseName);
    }

    /// <summary>Runs <paramref name="sql"/> in this database and returns the response text (TabSeparated for SELECT).</summary>
    public Task<string> QueryAsync(string sql, CancellationToken cancellationToken = default) =>
        SendAsync(_server, Name, sql, body: null, cancellationToken);

    /// <summary>
    /// Runs an <c>INSERT … FORMAT …</c> statement with <paramref name="data"/> as the request body,
    /// the way a sink streams rows (e.g. <c>INSERT INTO t FORMAT TabSeparated</c> and TSV lines).
    /// </summary>
    public Task InsertAsync(string insertStatement, string data, CancellationToken cancellationToken = default) =>
        SendAsync(_server, Name, insertStatement, data, cancellationToken);

    /// <summary>
    /// Runs <paramref name="sql"/> and converts the single value it returns (TabSeparated, unescaped)
    /// to <typeparamref name="T"/> with the invariant culture.
    /// </summary>
    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        var text = await QueryAsync(sql, cancellationToken);
        var value = UnescapeTabSeparated(text.EndsWith('\n') ? text[..^1] : text);
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether <paramref name="e"/> is ClickHouse's "table doesn't exist" (code 60), as a query of a table a sink has not created yet fails.</summary>
    public static bool IsMissingTable(Exception e) =>
        e is InvalidOperationException && e.Message.Contains("Code: 60,", StringComparison.Ordinal);

    /// <summary>Drops the database and its tables. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await SendAsync(_server, database: null, $"DROP DATABASE IF EXISTS {QuoteIdentifier(Name)}", body: null, CancellationToken.None);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static async Task<string> SendAsync(Uri server, string? database, string sql, string? body, CancellationToken cancellationToken)
    {
        // With a body, the statement goes in the query string and the body carries the data;
        // without one, the statement is the body (no URL length limit).
        var query = new StringBuilder();
        if (database is not null)
        {
            query.Append("database=").Append(Uri.EscapeDataString(database));
        }

        if (body is not null)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("query=").Append(Uri.EscapeDataString(sql));
        }

        var uri = new UriBuilder(server) { Query = query.ToString() }.Uri;
        using var content = new StringContent(body ?? sql, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };

        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(uri, content, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw TestServers.ClickHouseUnavailable(server, ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(
                    $"ClickHouse at {server} answered {(int)response.StatusCode} to `{sql}`: {text.Trim()}");
            }

            return text;
        }
    }

    private static string QuoteIdentifier(string identifier) =>
        "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    private static string UnescapeTabSeparated(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i == value.Length - 1)
            {
                builder.Append(value[i]);
                continue;
            }

            i++;
            builder.Append(value[i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                var other => other,
            });
        }

        return builder.ToString();
    }
}
