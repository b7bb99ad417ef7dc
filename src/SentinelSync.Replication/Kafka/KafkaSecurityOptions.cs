using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// <c>sinks[n].kafka.security</c> and <c>source.kafka.security</c>: how a Kafka sink or source authenticates to the
/// brokers and encrypts the connection, as librdkafka's <c>security.protocol</c>, <c>sasl.*</c> and <c>ssl.*</c> settings.
/// Passwords may come from <c>${env:…}</c> or <c>${file:…}</c>.
/// </summary>
public sealed class KafkaSecurityOptions
{
    private static readonly string[] s_protocols = ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"];
    private static readonly string[] s_mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    /// <summary><c>plaintext</c> (default), <c>ssl</c>, <c>sasl_plaintext</c> or <c>sasl_ssl</c>.</summary>
    public string Protocol { get; set; } = "plaintext";

    /// <summary><c>PLAIN</c>, <c>SCRAM-SHA-256</c> or <c>SCRAM-SHA-512</c>, with a sasl_* protocol.</summary>
    public string? SaslMechanism { get; set; }

    public string? Username { get; set; }

    /// <summary>Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>PEM file of the CA that signed the brokers' certificates (ssl, sasl_ssl).</summary>
    public string? CaLocation { get; set; }

    public IReadOnlyList<OptionProblem> Validate(string section)
    {
        var problems = new List<OptionProblem>();
        if (!s_protocols.Contains(Protocol))
        {
            problems.Add(new OptionProblem($"{section}.protocol", $"must be one of {string.Join(", ", s_protocols)}, not '{Protocol}'"));
            return problems;
        }

        var sasl = Protocol.StartsWith("sasl_", StringComparison.Ordinal);
        if (sasl && (SaslMechanism is null || !s_mechanisms.Contains(SaslMechanism)))
        {
            problems.Add(new OptionProblem($"{section}.saslMechanism", $"must be one of {string.Join(", ", s_mechanisms)} with protocol {Protocol}"));
        }

        if (sasl && (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password)))
        {
            problems.Add(new OptionProblem($"{section}.username", $"username and password are required with protocol {Protocol}"));
        }

        if (!sasl && (SaslMechanism is not null || Username is not null || Password is not null))
        {
            problems.Add(new OptionProblem($"{section}.saslMechanism", $"SASL settings need protocol sasl_plaintext or sasl_ssl, not {Protocol}"));
        }

        if (CaLocation is not null && !File.Exists(CaLocation))
        {
            problems.Add(new OptionProblem($"{section}.caLocation", $"no such file: {CaLocation}"));
        }

        return problems;
    }

    internal void ApplyTo(ClientConfig config)
    {
        config.SecurityProtocol = Protocol switch
        {
            "ssl" => SecurityProtocol.Ssl,
            "sasl_plaintext" => SecurityProtocol.SaslPlaintext,
            "sasl_ssl" => SecurityProtocol.SaslSsl,
            _ => SecurityProtocol.Plaintext,
        };
        if (SaslMechanism is not null)
        {
            config.SaslMechanism = SaslMechanism switch
            {
                "SCRAM-SHA-256" => Confluent.Kafka.SaslMechanism.ScramSha256,
                "SCRAM-SHA-512" => Confluent.Kafka.SaslMechanism.ScramSha512,
                _ => Confluent.Kafka.SaslMechanism.Plain,
            };
            config.SaslUsername = Username;
            config.SaslPassword = Password;
        }

        if (CaLocation is not null)
        {
            config.SslCaLocation = CaLocation;
        }
    }
}
