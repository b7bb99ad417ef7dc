using SentinelSync.Replication.Kafka.Avro;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

public sealed class KafkaSourceOptionsTests
{
    private static KafkaSourceOptions Valid() => new() { BootstrapServers = "127.0.0.1:9092,broker-2:9093", Topics = ["db.inventory.customers"], GroupId = "sentinel" };

    [Fact]
    public void Valid_options_have_no_problem() => Valid().Validate().ShouldBeEmpty();

    [Theory]
    [InlineData("bootstrapServers", "")]
    [InlineData("bootstrapServers", "localhost")]
    [InlineData("groupId", "")]
    [InlineData("format", "protobuf")]
    [InlineData("startFrom", "middle")]
    [InlineData("deletedMessages", "ignore")]
    [InlineData("topicPattern", "db\\..*")]
    [InlineData("topicPattern", "(")]
    public void Each_mistake_names_its_key(string key, string value)
    {
        var options = Valid();
        switch (key)
        {
            case "bootstrapServers": options.BootstrapServers = value; break;
            case "groupId": options.GroupId = value; break;
            case "format": options.Format = value; break;
            case "startFrom": options.StartFrom = value; break;
            case "deletedMessages": options.DeletedMessages = value; break;
            case "topicPattern": options.TopicPattern = value; options.Topics = value == "(" ? [] : options.Topics; break;
        }

        var problems = options.Validate("pipelines[0].source.kafka");

        problems.Select(p => p.Key).ShouldBe([$"pipelines[0].source.kafka.{key}"]);
    }

    [Fact]
    public void Debezium_avro_needs_a_schema_registry_and_json_refuses_one()
    {
        var avro = Valid();
        avro.Format = KafkaSourceOptions.FormatDebeziumAvro;
        avro.Validate("s").Select(p => p.Key).ShouldBe(["s.schemaRegistry"]);

        avro.SchemaRegistry = new SchemaRegistryOptions { Url = "http://registry:8081", Username = "key" };
        avro.Validate("s").Select(p => p.Key).ShouldBe(["s.schemaRegistry.username"]);

        avro.SchemaRegistry = new SchemaRegistryOptions { Url = "registry:8081" };
        avro.Validate("s").Select(p => p.Key).ShouldBe(["s.schemaRegistry.url"]);

        avro.SchemaRegistry = new SchemaRegistryOptions { Url = "http://registry:8081,https://registry-2:8081" };
        avro.Validate("s").ShouldBeEmpty();

        var json = Valid();
        json.SchemaRegistry = new SchemaRegistryOptions { Url = "http://registry:8081" };
        json.Validate("s").Select(p => p.Key).ShouldBe(["s.schemaRegistry"]);
    }

    [Fact]
    public void Topics_or_a_pattern_is_required_and_bad_topic_names_are_named_by_index()
    {
        new KafkaSourceOptions { BootstrapServers = "a:1", GroupId = "g" }.Validate().Single().Key.ShouldBe("source.kafka.topics");
        new KafkaSourceOptions { BootstrapServers = "a:1", GroupId = "g", Topics = ["ok", "not ok"] }.Validate().Single().Key.ShouldBe("source.kafka.topics[1]");
    }

    [Fact]
    public void A_pattern_matches_whole_topic_names()
    {
        var options = new KafkaSourceOptions { TopicPattern = @"dbserver1\.inventory\..*" };

        options.Matches("dbserver1.inventory.orders").ShouldBeTrue();
        options.Matches("x.dbserver1.inventory.orders").ShouldBeFalse();
        Valid().Matches("db.inventory.customers").ShouldBeTrue();
        Valid().Matches("db.inventory.other").ShouldBeFalse();
    }
}
