using System.Collections;
using SentinelSync.Configuration;
using SentinelSync.Replication.Masking;

namespace SentinelSync.Tests.Configuration;

public sealed class MaskingConfigTests : IDisposable
{
    private const string Config = """
        controlDb: "Host=127.0.0.1;Port=5432;Database=sentinel;Username=postgres"
        silo: { name: silo-1, httpPort: 8080 }
        masking:
          salt: "${env:MASK_SALT}"
          keys:
            - { id: k2024, key: "${file:KEYFILE}" }
          activeKey: k2024
        pipelines:
          - name: shop
            source:
              postgres:
                connection: "Host=127.0.0.1;Port=5432;Database=shop;Username=postgres"
                publication: sentinel_shop
                slot: sentinel_shop
                tables: ["public.*"]
            sinks:
              - name: warehouse
                postgres: { connection: "Host=127.0.0.1;Port=5432;Database=warehouse;Username=postgres" }
                transforms:
                  - table: public.customers
                    mask: { email: hmac, phone: redact, ssn: sha256, card: tokenize }
                    exclude: [notes]
                    rename: { full_name: name }
        """;

    private const string Salt = "salt-from-env-0123456789";
    private const string Key = "key-from-file-0123456789";

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-masking-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var keyFile = Path.Combine(_directory, "mask_k2024");
        File.WriteAllText(keyFile, Key + "\n");
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, text.Replace("KEYFILE", keyFile, StringComparison.Ordinal));
        return path;
    }

    private static IDictionary Env() => new Dictionary<string, string> { ["MASK_SALT"] = Salt };

    [Fact]
    public void The_documented_shape_loads_with_its_secrets_from_references()
    {
        var config = SentinelConfigLoader.Load(Write(Config), Env());

        config.Masking.Salt.ShouldBe(Salt);
        config.Masking.Keys.ShouldHaveSingleItem().Key.ShouldBe(Key);
        config.Masking.ActiveKey.ShouldBe("k2024");
        var transform = config.Pipelines[0].Sinks[0].Transforms.ShouldHaveSingleItem();
        transform.Masks().OrderBy(m => m.Key).Select(m => $"{m.Key}:{m.Value}").ShouldBe(["card:Tokenize", "email:Hmac", "phone:Redact", "ssn:Sha256"]);
        transform.Exclude.ShouldBe(["notes"]);
        transform.Rename.ShouldBe(new Dictionary<string, string> { ["full_name"] = "name" });
        SecretValues.Of(config).ShouldContain(Salt);
        SecretValues.Of(config).ShouldContain(Key);
    }

    [Fact]
    public void A_kafka_source_pipeline_masks_tables_named_by_its_messages()
    {
        var kafka = Config.Replace("""
                  postgres:
                    connection: "Host=127.0.0.1;Port=5432;Database=shop;Username=postgres"
                    publication: sentinel_shop
                    slot: sentinel_shop
                    tables: ["public.*"]
            """, """
                  kafka: { bootstrapServers: "127.0.0.1:9092", topics: [shop.inventory.customers], groupId: shop, format: debezium-json }
            """, StringComparison.Ordinal).Replace("table: public.customers", "table: inventory.customers", StringComparison.Ordinal);
        kafka.ShouldNotBe(Config);

        var config = SentinelConfigLoader.Load(Write(kafka), Env());

        config.Pipelines[0].Sinks[0].Transforms.ShouldHaveSingleItem().TableName!.ToString().ShouldBe("inventory.customers");
    }

    [Theory]
    [InlineData("phone: redact", "phone: scramble", "pipelines[0].sinks[0].transforms[0].mask.phone", "'scramble' is not a mask function")]
    [InlineData("table: public.customers", "table: customers", "pipelines[0].sinks[0].transforms[0].table", "schema.table")]
    [InlineData("table: public.customers", "table: audit.customers", "pipelines[0].sinks[0].transforms[0].table", "not among the tables pipeline 'shop' captures")]
    [InlineData("exclude: [notes]", "exclude: [notes, email]", "pipelines[0].sinks[0].transforms[0].mask.email", "either masked or left out")]
    [InlineData("exclude: [notes]", "exclude: [notes, full_name]", "pipelines[0].sinks[0].transforms[0].rename.full_name", "excluded")]
    [InlineData("rename: { full_name: name }", "rename: { full_name: name, nick: name }", "pipelines[0].sinks[0].transforms[0].rename.nick", "two columns cannot share one name")]
    [InlineData("activeKey: k2024", "activeKey: k2025", "masking.activeKey", "'k2025' is not the id of any of masking.keys (k2024)")]
    [InlineData("activeKey: k2024", "activeKey: \"\"", "masking.activeKey", "masks with a keyed function (hmac or tokenize)")]
    [InlineData("salt: \"${env:MASK_SALT}\"", "salt: \"\"", "masking.salt", "is required: pipelines[0].sinks[0].transforms[0].mask.ssn masks with sha256")]
    [InlineData("salt: \"${env:MASK_SALT}\"", "salt: short", "masking.salt", "is 5 characters long")]
    [InlineData("id: k2024,", "id: \"k 2024\",", "masking.keys[0].id", "letters, digits")]
    [InlineData("mask: { email", "maks: { email", "pipelines[0].sinks[0].transforms[0]", "unknown key 'maks'")]
    public void A_bad_transform_or_masking_section_is_rejected_naming_the_key(string good, string bad, string key, string problem)
    {
        var file = Write(Config.Replace(good, bad, StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env()));

        error.Key.ShouldBe(key);
        error.Problem.ShouldContain(problem);
    }

    [Fact]
    public void A_short_key_is_rejected_without_showing_it()
    {
        var file = Write(Config.Replace("key: \"${file:KEYFILE}\"", "key: \"tooShortKey\"", StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env()));

        error.Key.ShouldBe("masking.keys[0].key");
        error.Message.ShouldNotContain("tooShortKey");
    }

    [Fact]
    public void Two_transforms_of_one_table_in_one_sink_are_rejected()
    {
        var file = Write(Config + "\n          - { table: public.customers, exclude: [ssn] }");

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env()));

        error.Key.ShouldBe("pipelines[0].sinks[0].transforms[1].table");
    }
}
