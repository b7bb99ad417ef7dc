using System.Collections;
using SentinelSync.Configuration;
using SentinelSync.Replication.Kafka;

namespace SentinelSync.Tests.Kafka;

/// <summary>The <c>sinks[n].kafka</c> section as the issue spells it: loaded, defaulted, and rejected naming the key.</summary>
public sealed class KafkaSinkConfigTests : IDisposable
{
    private const string Config = """
        controlDb: "Host=127.0.0.1;Port=5432;Database=sentinel;Username=postgres"
        silo: { name: silo-1, httpPort: 8080 }
        pipelines:
          - name: shop
            source:
              postgres: { connection: "Host=127.0.0.1;Database=shop;Username=postgres", publication: p, slot: s, tables: ["public.*"] }
            sinks:
              - name: events
                kafka:
                  bootstrapServers: "127.0.0.1:9092,127.0.0.1:9093"
                  topicPrefix: shop
                  format: debezium-json
                  acks: all
                  compression: zstd
                  partitionsPerTopic: 6
                  replicationFactor: 3
                  transactional: true
                  schemas: false
                  security: { protocol: sasl_ssl, saslMechanism: SCRAM-SHA-512, username: sentinel, password: "${env:KAFKA_PASSWORD}" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-kafka-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static IDictionary Env() => new Dictionary<string, string> { ["KAFKA_PASSWORD"] = "hunter2" };

    [Fact]
    public void Every_documented_key_loads()
    {
        var kafka = SentinelConfigLoader.Load(Write(Config), Env()).Pipelines.Single().Sinks.Single().Kafka.ShouldNotBeNull();

        kafka.BootstrapServers.ShouldBe("127.0.0.1:9092,127.0.0.1:9093");
        kafka.TopicPrefix.ShouldBe("shop");
        kafka.Format.ShouldBe("debezium-json");
        kafka.Compression.ShouldBe("zstd");
        kafka.PartitionsPerTopic.ShouldBe(6);
        kafka.ReplicationFactor.ShouldBe(3);
        kafka.Transactional.ShouldBeTrue();
        kafka.Schemas.ShouldBeFalse();
        kafka.Security.Password.ShouldBe("hunter2");
        kafka.ToString().ShouldNotContain("hunter2");
        kafka.TopicOf(new Replication.TableName("public", "orders")).ShouldBe("shop.public.orders");
    }

    [Fact]
    public void Debezium_avro_loads_its_schema_registry_keys_and_a_bad_url_is_named()
    {
        var avro = Config.Replace(
            "format: debezium-json",
            "format: debezium-avro\n          schemaRegistry: { url: \"https://registry:8081\", username: api-key, password: \"${env:KAFKA_PASSWORD}\", requestTimeout: \"00:00:05\" }",
            StringComparison.Ordinal);

        var kafka = SentinelConfigLoader.Load(Write(avro), Env()).Pipelines.Single().Sinks.Single().Kafka.ShouldNotBeNull();

        kafka.Format.ShouldBe("debezium-avro");
        var registry = kafka.SchemaRegistry.ShouldNotBeNull();
        (registry.Url, registry.Username, registry.Password, registry.RequestTimeout).ShouldBe(("https://registry:8081", "api-key", "hunter2", TimeSpan.FromSeconds(5)));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write(avro.Replace("https://registry:8081", "registry:8081", StringComparison.Ordinal)), Env()));
        error.Key.ShouldBe("pipelines[0].sinks[0].kafka.schemaRegistry.url");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Defaults_are_debezium_json_with_schemas_acks_all_one_partition_and_no_transactions()
    {
        var kafka = new KafkaSinkOptions { BootstrapServers = "b:9092", TopicPrefix = "p" };

        kafka.Validate().ShouldBeEmpty();
        (kafka.Format, kafka.Schemas, kafka.Acks, kafka.PartitionsPerTopic, kafka.ReplicationFactor, kafka.Transactional, kafka.DecimalHandling)
            .ShouldBe(("debezium-json", true, "all", 1, -1, false, "precise"));
    }

    [Theory]
    [InlineData("bootstrapServers: \"127.0.0.1:9092,127.0.0.1:9093\"", "bootstrapServers: \"nohostport\"", "pipelines[0].sinks[0].kafka.bootstrapServers")]
    [InlineData("topicPrefix: shop", "topicPrefix: \"shop/x\"", "pipelines[0].sinks[0].kafka.topicPrefix")]
    [InlineData("format: debezium-json", "format: protobuf", "pipelines[0].sinks[0].kafka.format")]
    [InlineData("format: debezium-json", "format: debezium-avro", "pipelines[0].sinks[0].kafka.schemaRegistry")]
    [InlineData("acks: all", "acks: leader", "pipelines[0].sinks[0].kafka.acks")]
    [InlineData("compression: zstd", "compression: brotli", "pipelines[0].sinks[0].kafka.compression")]
    [InlineData("partitionsPerTopic: 6", "partitionsPerTopic: 0", "pipelines[0].sinks[0].kafka.partitionsPerTopic")]
    [InlineData("replicationFactor: 3", "replicationFactor: 0", "pipelines[0].sinks[0].kafka.replicationFactor")]
    [InlineData("saslMechanism: SCRAM-SHA-512", "saslMechanism: GSSAPI", "pipelines[0].sinks[0].kafka.security.saslMechanism")]
    [InlineData("transactional: true", "transactionnal: true", "pipelines[0].sinks[0].kafka")]
    public void A_bad_kafka_sink_is_rejected_naming_the_key(string good, string bad, string key)
    {
        var file = Write(Config.Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env()));

        error.Key.ShouldBe(key);
        error.Message.ShouldNotContain("hunter2");
    }
}
