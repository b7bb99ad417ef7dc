using Npgsql;

namespace SentinelSync.Testing;

/// <summary>
/// Where the tests find their servers: environment variables with loopback defaults that match
/// what <c>eng/setup.sh</c> starts. The helpers check that a server answers and otherwise throw a
/// <see cref="TestServerUnavailableException"/> that says what to do.
/// </summary>
public static class TestServers
{
    /// <summary>Connection string of the source (and control) Postgres server.</summary>
    public const string PostgresVariable = "SENTINEL_TEST_POSTGRES";

    /// <summary>Connection string of the destination Postgres server (a separate cluster).</summary>
    public const string PostgresDestinationVariable = "SENTINEL_TEST_POSTGRES_DEST";

    /// <summary>Connection string of the TLS-only Postgres server (client certificates, verify-full), certificates included.</summary>
    public const string PostgresTlsVariable = "SENTINEL_TEST_POSTGRES_TLS";

    /// <summary>Where eng/setup.sh put the test CA (<c>ca.crt</c>), the client pair and an unrelated CA (<c>other-ca.crt</c>).</summary>
    public const string TlsDirectory = "/var/lib/sentinel/tls";

    /// <summary>Base URL of the ClickHouse HTTP interface.</summary>
    public const string ClickHouseVariable = "SENTINEL_TEST_CLICKHOUSE";

    /// <summary>Base URL of the HTTPS-only ClickHouse server (its certificate signed by the test CA in <see cref="TlsDirectory"/>).</summary>
    public const string ClickHouseTlsVariable = "SENTINEL_TEST_CLICKHOUSE_TLS";

    /// <summary>Contact point (host:port) of a Cassandra or ScyllaDB node; the Cassandra integration tests are skipped without it.</summary>
    public const string CassandraVariable = "SENTINEL_TEST_CASSANDRA";

    /// <summary>The datacenter of <see cref="CassandraVariable"/>'s node (<c>datacenter1</c>, Cassandra's default, unless set).</summary>
    public const string CassandraDatacenterVariable = "SENTINEL_TEST_CASSANDRA_DC";

    /// <summary>
    /// A shell command that restarts <see cref="CassandraVariable"/>'s node and returns (e.g. <c>docker restart cassandra</c>);
    /// the node-restart test is skipped without it.
    /// </summary>
    public const string CassandraRestartVariable = "SENTINEL_TEST_CASSANDRA_RESTART";

    /// <summary>Default of <see cref="PostgresVariable"/>: cluster 15/sentinel.</summary>
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5433;Username=postgres";

    /// <summary>Default of <see cref="PostgresDestinationVariable"/>: cluster 15/sentinel_dest.</summary>
    public const string DefaultPostgresDestination = "Host=127.0.0.1;Port=5434;Username=postgres";

    /// <summary>Default of <see cref="ClickHouseVariable"/>.</summary>
    public const string DefaultClickHouse = "http://127.0.0.1:8123";

    private static readonly TimeSpan _probeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The source Postgres server's connection string (no database chosen).</summary>
    public static string Postgres => Read(PostgresVariable, DefaultPostgres);

    /// <summary>The destination Postgres server's connection string (no database chosen).</summary>
    public static string PostgresDestination => Read(PostgresDestinationVariable, DefaultPostgresDestination);

    /// <summary>
    /// The TLS test cluster (15/sentinel_tls): TCP only with TLS, the server verified against the test CA
    /// (VerifyFull: chain and host name), the client authenticated by its certificate (CN postgres).
    /// </summary>
    public static string PostgresTls => Read(
        PostgresTlsVariable,
        $"Host=127.0.0.1;Port=5435;Username=postgres;SSL Mode=VerifyFull;Root Certificate={TlsDirectory}/ca.crt;SSL Certificate={TlsDirectory}/client.crt;SSL Key={TlsDirectory}/client.key");

    /// <summary>The ClickHouse HTTP interface, e.g. <c>http://127.0.0.1:8123/</c>.</summary>
    public static Uri ClickHouse
    {
        get
        {
            var text = Read(ClickHouseVariable, DefaultClickHouse);
            return Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri)
                ? uri
                : throw new InvalidOperationException($"{ClickHouseVariable}='{text}' is not an absolute URL such as {DefaultClickHouse}.");
        }
    }

    /// <summary>The HTTPS-only ClickHouse server that eng/setup.sh starts beside the shared one, e.g. <c>https://127.0.0.1:8443/</c>.</summary>
    public static Uri ClickHouseTls
    {
        get
        {
            var text = Read(ClickHouseTlsVariable, "https://127.0.0.1:8443");
            return Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
                ? uri
                : throw new InvalidOperationException($"{ClickHouseTlsVariable}='{text}' is not an absolute https URL such as https://127.0.0.1:8443.");
        }
    }

    /// <summary>The Cassandra contact point, or null when the Cassandra tests are to be skipped.</summary>
    public static string? Cassandra => Environment.GetEnvironmentVariable(CassandraVariable) is { Length: > 0 } value ? value : null;

    public static string CassandraDatacenter => Read(CassandraDatacenterVariable, "datacenter1");

    /// <summary>The command restarting the Cassandra node, or null when the restart test is to be skipped.</summary>
    public static string? CassandraRestart => Environment.GetEnvironmentVariable(CassandraRestartVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Throws <see cref="TestServerUnavailableException"/> unless the source Postgres answers.</summary>
    public static Task EnsurePostgresAsync(CancellationToken cancellationToken = default) =>
        EnsurePostgresAsync(Postgres, cancellationToken);

    /// <summary>Throws <see cref="TestServerUnavailableException"/> unless the destination Postgres answers.</summary>
    public static Task EnsurePostgresDestinationAsync(CancellationToken cancellationToken = default) =>
        EnsurePostgresAsync(PostgresDestination, cancellationToken);

    /// <summary>Throws <see cref="TestServerUnavailableException"/> unless the Postgres server of <paramref name="connectionString"/> answers.</summary>
    public static async Task EnsurePostgresAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Timeout = (int)_probeTimeout.TotalSeconds, Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw PostgresUnavailable(connectionString, ex);
        }
    }

    /// <summary>Throws <see cref="TestServerUnavailableException"/> unless ClickHouse answers <c>/ping</c> with <c>Ok.</c>.</summary>
    public static async Task EnsureClickHouseAsync(CancellationToken cancellationToken = default)
    {
        var server = ClickHouse;
        using var http = new HttpClient { Timeout = _probeTimeout };
        string answer;
        try
        {
            answer = await http.GetStringAsync(new Uri(server, "ping"), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw ClickHouseUnavailable(server, ex);
        }

        if (answer.Trim() != "Ok.")
        {
            throw ClickHouseUnavailable(server, new InvalidOperationException($"/ping answered '{answer.Trim()}' instead of 'Ok.'"));
        }
    }

    /// <summary>The exception for a Postgres server that does not answer, naming the matching environment variable.</summary>
    public static TestServerUnavailableException PostgresUnavailable(string connectionString, Exception? innerException)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var address = $"{builder.Host}:{builder.Port}";
        var isDestination = SameServer(connectionString, PostgresDestination) && !SameServer(connectionString, Postgres);
        return isDestination
            ? new TestServerUnavailableException("Postgres (destination, cluster 15/sentinel_dest)", address, PostgresDestinationVariable, innerException)
            : new TestServerUnavailableException("Postgres (source, cluster 15/sentinel)", address, PostgresVariable, innerException);
    }

    /// <summary>The exception for a ClickHouse server that does not answer.</summary>
    public static TestServerUnavailableException ClickHouseUnavailable(Uri server, Exception? innerException) =>
        new("ClickHouse (HTTP interface)", server.ToString(), ClickHouseVariable, innerException);

    private static bool SameServer(string left, string right)
    {
        var a = new NpgsqlConnectionStringBuilder(left);
        var b = new NpgsqlConnectionStringBuilder(right);
        return string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;
    }

    private static string Read(string variable, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? fallback : value;
    }
}
