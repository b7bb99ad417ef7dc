using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SentinelSync.Hosting;
using SentinelSync.Replication;

using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Configuration;

/// <summary>
/// Reads, overrides and validates the configuration before anything starts. Environment variables override
/// keys: <c>SENTINEL__SILO__HTTPPORT=8081</c>, <c>SENTINEL__PIPELINES__0__SOURCE__POSTGRES__CONNECTION=...</c>
/// (double underscore between levels, list items by index, case-insensitive). Values may refer to secrets
/// with <c>${env:NAME}</c> or <c>${file:/path}</c>.
/// </summary>
public static partial class SentinelConfigLoader
{
    public const string EnvironmentPrefix = "SENTINEL__";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex SqlName();

    public static SentinelConfig Load(string file, IDictionary? environment = null)
    {
        if (!File.Exists(file))
        {
            throw new ConfigurationException(file, "(file)", "does not exist");
        }

        environment ??= Environment.GetEnvironmentVariables();
        var values = YamlConfigurationReader.Read(file);
        foreach (DictionaryEntry variable in environment)
        {
            var name = (string)variable.Key;
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                values[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = (string?)variable.Value;
            }
        }

        // Every problem below is reported with the secrets known so far masked: a message may quote a value.
        var resolved = new List<string>();
        try
        {
            return Bind(file, values, resolved, environment);
        }
        catch (ConfigurationException e)
        {
            var redactor = new Redactor([.. SecretValues.In(values, environment), .. resolved]);
            throw redactor.Finds(e.Message) ? new ConfigurationException(e.File, e.Key, redactor.Redact(e.Problem)!) : e;
        }
    }

    private static SentinelConfig Bind(string file, Dictionary<string, string?> values, List<string> resolved, IDictionary environment)
    {
        foreach (var key in values.Keys.ToList())
        {
            var value = values[key];
            values[key] = SecretReferences.Resolve(file, key, value, n => environment[n] as string, resolved);
        }

        // Vault references last: the vault section itself may take its token from ${env:} or ${file:}.
        VaultSecrets? vault = null;
        if (VaultSecrets.IsUsedBy(values.Values))
        {
            var vaultConfig = new VaultConfig();
            BindSection(file, values.Where(v => v.Key.StartsWith("vault:", StringComparison.OrdinalIgnoreCase)), vaultConfig, "vault");
            // Kept for the silo's lifetime: VaultRenewal renews its token and reads leased secrets again.
            vault = VaultSecrets.Create(file, vaultConfig, environment, resolved);
            foreach (var key in values.Keys.Where(k => !k.StartsWith("vault:", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                values[key] = vault.Resolve(key, values[key]);
            }

            vault.LearnTokenLease();
        }

        foreach (var key in values.Keys)
        {
            CheckKnown(file, key);
        }

        var config = new SentinelConfig();
        BindSection(file, values, config, null);

        Validate(file, config);
        AdminAccess.Apply(file, config, environment);
        if (config.Silo.Kubernetes == true && KubernetesHosting.Missing(environment) is { Count: > 0 } missing)
        {
            throw new ConfigurationException(file, "silo.kubernetes", $"true needs a pod's environment, but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set (the pod spec passes POD_NAME, POD_NAMESPACE and POD_IP from the downward API: metadata.name, metadata.namespace, status.podIP; the kubelet sets KUBERNETES_SERVICE_*)");
        }

        config.Secrets = [.. SecretValues.In(values, environment), .. resolved];
        config.VaultSession = vault;
        return config;
    }

    /// <summary>Binds <paramref name="values"/> (of <paramref name="section"/> when given) onto <paramref name="target"/>; a value of the wrong type is reported with its key.</summary>
    private static void BindSection(string file, IEnumerable<KeyValuePair<string, string?>> values, object target, string? section)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        try
        {
            (section is null ? (IConfiguration)configuration : configuration.GetSection(section)).Bind(target);
        }
        catch (InvalidOperationException e)
        {
            var match = Regex.Match(e.Message, "value '([^']*)' at '([^']+)' to type '([^']+)'");
            throw match.Success
                ? new ConfigurationException(file, ConfigurationKeys.Display(values.Select(v => v.Key).FirstOrDefault(k => string.Equals(k, match.Groups[2].Value, StringComparison.OrdinalIgnoreCase)) ?? match.Groups[2].Value), $"'{match.Groups[1].Value}' is not a valid {match.Groups[3].Value.Replace("System.", string.Empty, StringComparison.Ordinal)}")
                : new ConfigurationException(file, "(file)", e.Message);
        }
    }

    private static void Validate(string file, SentinelConfig config)
    {
        void Fail(string key, string problem) => throw new ConfigurationException(file, key, problem);

        CheckConnection(file, "controlDb", config.ControlDb);
        if (string.IsNullOrWhiteSpace(config.Silo.Name))
        {
            Fail("silo.name", "is required (unique per silo of the cluster)");
        }

        if (config.Silo.HttpPort is < 1 or > 65535)
        {
            Fail("silo.httpPort", $"must be a TCP port (1-65535), not {config.Silo.HttpPort}");
        }

        if (config.Silo.Tls is { } tls)
        {
            try
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                    tls.Certificate ?? throw new ConfigurationException(file, "silo.tls.certificate", "is required with silo.tls (a PEM certificate file)"),
                    tls.Key ?? throw new ConfigurationException(file, "silo.tls.key", "is required with silo.tls (the certificate's PEM private key file)"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                Fail("silo.tls", $"the certificate {tls.Certificate} with the key {tls.Key} cannot be loaded: {e.Message}");
            }
        }

        if (config.Silo.IdleTimeout <= TimeSpan.Zero)
        {
            Fail("silo.idleTimeout", "must be positive (e.g. 00:15:00)");
        }

        foreach (var (key, port) in new[] { ("silo.siloPort", config.Silo.SiloPort), ("silo.gatewayPort", config.Silo.GatewayPort) })
        {
            if (port is < 0 or > 65535)
            {
                Fail(key, $"must be a TCP port (1-65535), or 0 for the default, not {port}");
            }
        }

        if (config.Silo.Ports.GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            Fail(clash.Last().Key, $"port {clash.Key} is also {clash.First().Key}; each of the silo's ports needs its own number");
        }

        var cluster = config.Cluster;
        foreach (var (key, value) in new[] { ("cluster.probeTimeout", cluster.ProbeTimeout), ("cluster.deathVoteExpirationTimeout", cluster.DeathVoteExpirationTimeout), ("cluster.tableRefreshTimeout", cluster.TableRefreshTimeout), ("cluster.iAmAliveTablePublishTimeout", cluster.IAmAliveTablePublishTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                Fail(key, "must be positive (e.g. 00:00:02)");
            }
        }

        foreach (var (key, value) in new[] { ("cluster.numMissedProbesLimit", cluster.NumMissedProbesLimit), ("cluster.numProbedSilos", cluster.NumProbedSilos), ("cluster.numVotesForDeathDeclaration", cluster.NumVotesForDeathDeclaration) })
        {
            if (value < 1)
            {
                Fail(key, $"must be at least 1, not {value}");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var slots = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < config.Pipelines.Count; p++)
        {
            var pipeline = config.Pipelines[p];
            var at = $"pipelines[{p}]";
            if (string.IsNullOrWhiteSpace(pipeline.Name) || !SqlName().IsMatch(pipeline.Name))
            {
                Fail($"{at}.name", "is required: letters, digits and underscores, starting with a letter");
            }

            if (!names.Add(pipeline.Name!))
            {
                Fail($"{at}.name", $"'{pipeline.Name}' names two pipelines");
            }

            var source = pipeline.Source?.Postgres;
            var kafka = pipeline.Source?.Kafka;
            if ((source is null) == (kafka is null))
            {
                Fail($"{at}.source", source is null
                    ? "needs a 'postgres:' or a 'kafka:' entry"
                    : "has 'postgres:' and 'kafka:'; a pipeline reads from exactly one source");
            }

            if (kafka is not null)
            {
                ThrowFirst(file, kafka.Validate($"{at}.source.kafka"));
            }
            else
            {
                ThrowFirst(file, source!.Validate($"{at}.source.postgres"));
                if (!slots.Add(source.Slot))
                {
                    Fail($"{at}.source.postgres.slot", $"slot '{source.Slot}' is used by two pipelines; each pipeline needs its own slot");
                }
            }

            if (pipeline.Sinks.Count == 0)
            {
                Fail($"{at}.sinks", "needs at least one sink");
            }

            var sinkNames = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < pipeline.Sinks.Count; s++)
            {
                var sink = pipeline.Sinks[s];
                var sinkAt = $"{at}.sinks[{s}]";
                if (string.IsNullOrWhiteSpace(sink.Name) || !sinkNames.Add(sink.Name))
                {
                    Fail($"{sinkAt}.name", "is required and unique within the pipeline");
                }

                var destinations = sink.DestinationKeys().ToList();
                if (destinations.Count != 1)
                {
                    Fail(sinkAt, destinations.Count == 0
                        ? "needs a destination entry ('postgres:', 'clickhouse:', 'kafka:' or 'cassandra:')"
                        : $"has {string.Join(" and ", destinations.Select(d => $"'{d}:'"))}; a sink writes to exactly one destination (add a second sink for the other)");
                }

                if (kafka is not null && (sink.Kafka ?? (object?)sink.Cassandra) is not null)
                {
                    // A Kafka source resumes from the offsets its sinks store with the data; Kafka and Cassandra sinks store none it can read back.
                    Fail($"{sinkAt}.{(sink.Kafka is not null ? "kafka" : "cassandra")}", "a pipeline with a Kafka source writes to postgres or clickhouse sinks (they keep the partitions' offsets with the data)");
                }

                ThrowFirst(file, sink.Postgres?.Validate($"{sinkAt}.postgres")
                    ?? sink.ClickHouse?.Validate($"{sinkAt}.clickhouse")
                    ?? sink.Kafka?.Validate($"{sinkAt}.kafka")
                    ?? sink.Cassandra!.Validate($"{sinkAt}.cassandra"));
            }

            if (pipeline.Reconcile is { } reconcile)
            {
                ThrowFirst(file, reconcile.Validate($"{at}.reconcile"));
            }
        }

        ThrowFirst(file, TransformValidation.Check(config));
    }

    private static void ThrowFirst(string file, IReadOnlyList<OptionProblem> problems)
    {
        if (problems.Count > 0)
        {
            throw new ConfigurationException(file, problems[0].Key, problems[0].Problem);
        }
    }

    private static void CheckConnection(string file, string key, string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException(file, key, "is required (a Postgres connection string: Host=...;Database=...;Username=...)");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(file, key, $"is not a valid connection string: {e.Message}");
        }
    }

    /// <summary>A key the configuration classes do not have is a typo: reject it rather than ignore it.</summary>
    private static void CheckKnown(string file, string key)
    {
        var type = typeof(SentinelConfig);
        var segments = key.Split(':');
        for (var i = 0; i < segments.Length; i++)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(segments[i], out _))
                {
                    throw new ConfigurationException(file, ConfigurationKeys.Display(string.Join(':', segments[..i])), "is a list: use '- item' entries");
                }

                type = type.GetGenericArguments()[0];
                continue;
            }

            // mask: { email: hmac }, rename: { full_name: name }: the keys are column names, any is fine.
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }

            if (type == typeof(string) || type.IsValueType)
            {
                throw new ConfigurationException(file, ConfigurationKeys.Display(string.Join(':', segments[..i])), "is a single value, not a section");
            }

            var property = type.GetProperty(segments[i], System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase)
                ?? throw new ConfigurationException(file, ConfigurationKeys.Display(string.Join(':', segments[..i])) is { Length: > 0 } parent ? parent : "(top level)", $"unknown key '{segments[i]}'");
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
    }
}
