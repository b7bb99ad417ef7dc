using System.Collections;
using Confluent.Kafka;
using SentinelSync.Configuration;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Configuration;

/// <summary>The <c>source: { kafka: ... }</c> entry of a pipeline, as the issue spells it.</summary>
public sealed class KafkaSourceConfigTests : IDisposable
{
    private const string Valid = """
        controlDb: "Host=127.0.0.1;Port=5432;Database=sentinel;Username=postgres"
        silo: { name: silo-1, httpPort: 8080 }
        pipelines:
          - name: from_kafka
            source:
              kafka:
                bootstrapServers: "127.0.0.1:9092,127.0.0.1:9093"
                topics: ["dbserver1.inventory.customers", "dbserver1.inventory.orders"]
                groupId: sentinel-warehouse
                format: debezium-json
                startFrom: earliest
            sinks:
              - name: warehouse
                postgres: { connection: "Host=127.0.0.1;Port=5432;Database=warehouse;Username=postgres" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-kafka-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static IDictionary NoEnvironment => new Dictionary<string, string>();

    [Fact]
    public void A_kafka_source_loads_with_every_key()
    {
        var kafka = SentinelConfigLoader.Load(Write(Valid), NoEnvironment).Pipelines.ShouldHaveSingleItem().Source!.Kafka.ShouldNotBeNull();

        kafka.BootstrapServers.ShouldBe("127.0.0.1:9092,127.0.0.1:9093");
        kafka.Topics.ShouldBe(["dbserver1.inventory.customers", "dbserver1.inventory.orders"]);
        kafka.GroupId.ShouldBe("sentinel-warehouse");
        kafka.Format.ShouldBe("debezium-json");
        kafka.StartFrom.ShouldBe("earliest");
        kafka.DeletedMessages.ShouldBe("stop");
    }

    [Fact]
    public void A_topic_pattern_and_the_scylla_format_load()
    {
        var text = Valid.Replace("""topics: ["dbserver1.inventory.customers", "dbserver1.inventory.orders"]""", """topicPattern: 'scylla\.ks\..*'""", StringComparison.Ordinal)
            .Replace("format: debezium-json", "format: scylla-cdc", StringComparison.Ordinal)
            .Replace("startFrom: earliest", "startFrom: latest\n        deletedMessages: skip", StringComparison.Ordinal);

        var kafka = SentinelConfigLoader.Load(Write(text), NoEnvironment).Pipelines.Single().Source!.Kafka!;

        kafka.TopicPattern.ShouldBe(@"scylla\.ks\..*");
        kafka.Format.ShouldBe("scylla-cdc");
        kafka.StartFrom.ShouldBe("latest");
        kafka.DeletedMessages.ShouldBe("skip");
    }

    [Theory]
    [InlineData("groupId: sentinel-warehouse", "groupId: \"\"", "pipelines[0].source.kafka.groupId")]
    [InlineData("format: debezium-json", "format: protobuf", "pipelines[0].source.kafka.format")]
    [InlineData("startFrom: earliest", "startFrom: yesterday", "pipelines[0].source.kafka.startFrom")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        deletedMessages: ignore", "pipelines[0].source.kafka.deletedMessages")]
    [InlineData("bootstrapServers: \"127.0.0.1:9092,127.0.0.1:9093\"", "bootstrapServers: \"broker\"", "pipelines[0].source.kafka.bootstrapServers")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        topicPattern: 'x.*'", "pipelines[0].source.kafka.topicPattern")]
    [InlineData("groupId: sentinel-warehouse", "groupID2: x", "pipelines[0].source.kafka")]
    [InlineData("postgres: { connection: \"Host=127.0.0.1;Port=5432;Database=warehouse;Username=postgres\" }", "kafka: { bootstrapServers: \"127.0.0.1:9092\", topicPrefix: out }", "pipelines[0].sinks[0].kafka")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        security: { protocol: tls }", "pipelines[0].source.kafka.security.protocol")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        security: { protocol: sasl_ssl, saslMechanism: GSSAPI, username: u, password: p }", "pipelines[0].source.kafka.security.saslMechanism")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        security: { protocol: sasl_plaintext, saslMechanism: PLAIN }", "pipelines[0].source.kafka.security.username")]
    [InlineData("startFrom: earliest", "startFrom: earliest\n        security: { protocol: ssl, caLocation: /nowhere/ca.pem }", "pipelines[0].source.kafka.security.caLocation")]
    [InlineData("    source:\n", "    source:\n      postgres: { connection: \"Host=h;Database=d\", publication: p, slot: s, tables: [\"public.*\"] }\n", "pipelines[0].source")]
    public void A_bad_kafka_source_is_rejected_naming_the_key(string good, string bad, string key)
    {
        var file = Write(Valid.Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, NoEnvironment));

        error.Key.ShouldBe(key);
    }

    [Fact]
    public void Security_reaches_the_partition_consumers_and_its_password_is_a_secret()
    {
        var ca = Path.Combine(_directory, "kafka-ca.pem");
        File.WriteAllText(ca, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        var text = Valid.Replace("startFrom: earliest", $"startFrom: earliest\n        security: {{ protocol: sasl_ssl, saslMechanism: SCRAM-SHA-512, username: sentinel, password: written-in-the-file, caLocation: {ca} }}", StringComparison.Ordinal);
        var config = SentinelConfigLoader.Load(Write(text), NoEnvironment);

        var consumer = KafkaPartitionReader.ConsumerConfig(config.Pipelines.Single().Source!.Kafka!);

        consumer.SecurityProtocol.ShouldBe(SecurityProtocol.SaslSsl);
        consumer.SaslMechanism.ShouldBe(SaslMechanism.ScramSha512);
        (consumer.SaslUsername, consumer.SaslPassword, consumer.SslCaLocation).ShouldBe(("sentinel", "written-in-the-file", ca));
        SecretValues.Of(config).ShouldContain("written-in-the-file");
    }

    [Fact]
    public void Without_security_the_partition_consumers_speak_plaintext()
    {
        var consumer = KafkaPartitionReader.ConsumerConfig(SentinelConfigLoader.Load(Write(Valid), NoEnvironment).Pipelines.Single().Source!.Kafka!);

        consumer.SecurityProtocol.ShouldBe(SecurityProtocol.Plaintext);
        consumer.SaslUsername.ShouldBeNull();
    }
}
