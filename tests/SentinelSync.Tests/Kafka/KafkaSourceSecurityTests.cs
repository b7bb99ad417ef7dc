using System.Collections;
using Confluent.Kafka;
using SentinelSync.Configuration;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// <c>source.kafka.security</c>: loaded from the configuration, checked naming its key, and carried into every client
/// the source makes (the partition grains' consumers, the metadata client that finds partitions).
/// </summary>
public sealed class KafkaSourceSecurityTests : IDisposable
{
    private const string Config = """
        controlDb: "Host=127.0.0.1;Port=5432;Database=sentinel;Username=postgres"
        silo: { name: silo-1, httpPort: 8080 }
        pipelines:
          - name: from_kafka
            source:
              kafka:
                bootstrapServers: "broker-1:9093"
                topics: ["dbserver1.inventory.customers"]
                groupId: sentinel
                security: { protocol: sasl_ssl, saslMechanism: SCRAM-SHA-512, username: sentinel, password: "${env:KAFKA_PASSWORD}", caLocation: CA_FILE }
            sinks:
              - name: warehouse
                postgres: { connection: "Host=127.0.0.1;Database=warehouse;Username=postgres" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-kafka-source-security-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var ca = Path.Combine(_directory, "kafka-ca.pem");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, text.Replace("CA_FILE", ca, StringComparison.Ordinal));
        return path;
    }

    private static IDictionary Env() => new Dictionary<string, string> { ["KAFKA_PASSWORD"] = "hunter2" };

    [Fact]
    public void The_security_keys_load_and_reach_the_partition_consumers()
    {
        var kafka = SentinelConfigLoader.Load(Write(Config), Env()).Pipelines.Single().Source!.Kafka.ShouldNotBeNull();

        var consumer = KafkaPartitionReader.ConsumerConfig(kafka);

        consumer.SecurityProtocol.ShouldBe(SecurityProtocol.SaslSsl);
        consumer.SaslMechanism.ShouldBe(SaslMechanism.ScramSha512);
        (consumer.SaslUsername, consumer.SaslPassword).ShouldBe(("sentinel", "hunter2"));
        consumer.SslCaLocation.ShouldBe(Path.Combine(_directory, "kafka-ca.pem"));
        consumer.BootstrapServers.ShouldBe("broker-1:9093");
    }

    [Fact]
    public void The_password_is_a_secret_the_logs_redact()
    {
        var config = SentinelConfigLoader.Load(Write(Config.Replace("\"${env:KAFKA_PASSWORD}\"", "written-in-the-file", StringComparison.Ordinal)), Env());

        config.Pipelines.Single().Source!.Kafka!.Security.Password.ShouldBe("written-in-the-file");
        SecretValues.Of(config).ShouldContain("written-in-the-file");
    }

    [Fact]
    public void Without_security_the_consumers_speak_plaintext()
    {
        var options = new KafkaSourceOptions { BootstrapServers = "127.0.0.1:9092", Topics = ["t"], GroupId = "g" };

        options.Validate().ShouldBeEmpty();
        KafkaPartitionReader.ConsumerConfig(options).SecurityProtocol.ShouldBe(SecurityProtocol.Plaintext);
        KafkaPartitionReader.ConsumerConfig(options).SaslUsername.ShouldBeNull();
    }

    [Theory]
    [InlineData("tls", null, null, null, null, "protocol")]
    [InlineData("sasl_plaintext", "GSSAPI", "u", "p", null, "saslMechanism")]
    [InlineData("sasl_ssl", "PLAIN", null, null, null, "username")]
    [InlineData("ssl", null, null, null, "/nowhere/ca.pem", "caLocation")]
    public void A_bad_security_setting_is_refused_naming_its_key(string protocol, string? mechanism, string? username, string? password, string? ca, string key)
    {
        var options = new KafkaSourceOptions { BootstrapServers = "127.0.0.1:9092", Topics = ["t"], GroupId = "g" };
        options.Security = new() { Protocol = protocol, SaslMechanism = mechanism, Username = username, Password = password, CaLocation = ca };

        options.Validate("pipelines[0].source.kafka").Select(p => p.Key).ShouldBe([$"pipelines[0].source.kafka.security.{key}"]);
    }
}
