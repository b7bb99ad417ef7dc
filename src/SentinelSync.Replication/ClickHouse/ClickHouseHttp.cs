using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Text.RegularExpressions;
using SentinelSync.Replication.Security;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// The HTTP interface of one ClickHouse server: one pooled keep-alive client, basic authentication (the
/// password is only ever in the Authorization header), statements in the body, insert statements in the query
/// string with the rows as the (optionally gzipped) body. A non-2xx answer throws
/// <see cref="ClickHouseServerException"/> with ClickHouse's error code.
/// </summary>
internal sealed partial class ClickHouseHttp : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _server;
    private readonly string _database;
    private readonly string? _caFile;

    public ClickHouseHttp(ClickHouseSinkOptions options)
    {
        _server = new Uri(options.Url);
        _database = options.Database;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.GZip,
        };
        if (options.CaFile is { } caFile)
        {
            _caFile = caFile;
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = PrivateCaTrust.Validator(PrivateCaTrust.Load(caFile)) };
        }

        _client = new HttpClient(handler) { Timeout = options.RequestTimeout };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(options.User + ":" + options.Password)));
    }

    /// <summary>Runs a statement without a database context (CREATE DATABASE).</summary>
    public Task<string> ExecuteServerAsync(string sql, CancellationToken cancellationToken) =>
        SendAsync(useDatabase: false, sql, body: null, cancellationToken);

    /// <summary>Runs a statement in the sink's database and returns the response text.</summary>
    public Task<string> QueryAsync(string sql, CancellationToken cancellationToken) =>
        SendAsync(useDatabase: true, sql, body: null, cancellationToken);

    /// <summary>Runs <c>INSERT … FORMAT …</c> with <paramref name="rows"/> as the body; returns once ClickHouse acknowledged it.</summary>
    public Task InsertAsync(string insertStatement, HttpContent rows, CancellationToken cancellationToken) =>
        SendAsync(useDatabase: true, insertStatement, rows, cancellationToken);

    public void Dispose() => _client.Dispose();

    private async Task<string> SendAsync(bool useDatabase, string sql, HttpContent? body, CancellationToken cancellationToken)
    {
        // Responses may be gzipped (the handler decompresses); with a body, the statement goes in the URL.
        var query = new StringBuilder("enable_http_compression=1");
        if (useDatabase)
        {
            query.Append("&database=").Append(Uri.EscapeDataString(_database));
        }

        if (body is not null)
        {
            query.Append("&query=").Append(Uri.EscapeDataString(sql));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new UriBuilder(_server) { Query = query.ToString() }.Uri)
        {
            Content = body ?? new StringContent(sql, Encoding.UTF8, "text/plain"),
        };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return text;
        }

        var match = ErrorCode().Match(text);
        int? code = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var statement = sql.Length <= 200 ? sql : sql[..200] + "…";
        throw new ClickHouseServerException(response.StatusCode, code, $"ClickHouse at {_server} answered {(int)response.StatusCode} to `{statement}`: {text.Trim()}");
    }

    /// <summary>Sends; a refused TLS handshake says which trust refused it (the exception's own text only says "see inner exception").</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException tls)
        {
            var trust = _caFile is null ? "the system's trusted CAs" : $"the CA of caFile {_caFile}";
            throw new HttpRequestException(
                $"TLS to ClickHouse at {_server} refused: the server's certificate does not chain to {trust} or does not name the host {_server.Host} ({tls.Message})",
                e,
                e.StatusCode);
        }
    }

    [GeneratedRegex(@"Code:\s*(\d+)")]
    private static partial Regex ErrorCode();
}
