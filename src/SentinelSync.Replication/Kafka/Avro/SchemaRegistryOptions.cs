using Confluent.SchemaRegistry;

namespace SentinelSync.Replication.Kafka.Avro;

/// <summary>
/// <c>schemaRegistry:</c> of a Kafka sink or source with <c>format: debezium-avro</c>: where Confluent's Schema Registry
/// (or a compatible one) answers, and how to authenticate. Passwords may come from <c>${env:…}</c> or <c>${file:…}</c>.
/// </summary>
public sealed class SchemaRegistryOptions
{
    /// <summary>The registry's base URL, <c>http(s)://host:port</c>; several comma-separated for fail-over (required).</summary>
    public string Url { get; set; } = "";

    /// <summary>HTTP basic authentication user (Confluent Cloud: the API key); with <see cref="Password"/>.</summary>
    public string? Username { get; set; }

    /// <summary>HTTP basic authentication password (Confluent Cloud: the API secret). Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed the registry's certificate (https).</summary>
    public string? CaLocation { get; set; }

    /// <summary>How long one registry request may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<OptionProblem> Validate(string section)
    {
        var problems = new List<OptionProblem>();
        var urls = Url.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0 || urls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            problems.Add(new OptionProblem($"{section}.url", $"must be the registry's http(s)://host:port (comma-separated for several), not '{Url}'"));
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            problems.Add(new OptionProblem($"{section}.username", "username and password go together (HTTP basic authentication)"));
        }

        if (CaLocation is not null && !File.Exists(CaLocation))
        {
            problems.Add(new OptionProblem($"{section}.caLocation", $"no such file: {CaLocation}"));
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add(new OptionProblem($"{section}.requestTimeout", "must be positive (e.g. 00:00:30)"));
        }

        return problems;
    }

    /// <summary>A registry client of these options (Confluent's, caching schemas by id and subject); the caller disposes it.</summary>
    public CachedSchemaRegistryClient CreateClient()
    {
        var config = new SchemaRegistryConfig
        {
            Url = Url,
            RequestTimeoutMs = (int)RequestTimeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(Username))
        {
            config.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
            config.BasicAuthUserInfo = $"{Username}:{Password}";
        }

        if (CaLocation is not null)
        {
            config.SslCaLocation = CaLocation;
        }

        return new CachedSchemaRegistryClient(config);
    }
}
