using System.Collections;
using SentinelSync.Configuration;

namespace SentinelSync.Tests.Configuration;

public sealed class RedactorTests : IDisposable
{
    private const string WithSecrets = """
        controlDb: "Host=127.0.0.1;Database=sentinel;Username=postgres;Password=ctl-pw-1"
        silo: { name: silo-1, token: "${file:TOKEN_FILE}" }
        pipelines:
          - name: shop
            source:
              postgres:
                connection: "Host=127.0.0.1;Database=shop;Username=postgres;Password=${env:SHOP_PASSWORD}"
                publication: sentinel_shop
                slot: sentinel_shop
                tables: ["public.*"]
            sinks:
              - name: warehouse
                postgres: { connection: "Host=127.0.0.1;Database=warehouse;Username=postgres;Password='dst pw;2'" }
              - name: analytics
                clickhouse: { url: "http://127.0.0.1:8123", database: shop, password: "ch-pw-3" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-redactor-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var token = Path.Combine(_directory, "token");
        File.WriteAllText(token, "tok-4\n");
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, text.Replace("TOKEN_FILE", token, StringComparison.Ordinal));
        return path;
    }

    private static IDictionary Env(params (string Key, string Value)[] variables) =>
        variables.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void Every_secret_of_a_loaded_configuration_is_masked_by_exact_value()
    {
        var config = SentinelConfigLoader.Load(Write(WithSecrets), Env(("SHOP_PASSWORD", "src-pw-5"), ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=otlp-key-6,tenant=t%2D7")));
        var redactor = new Redactor(config);

        var text = "ctl-pw-1 src-pw-5 dst pw;2 ch-pw-3 tok-4 otlp-key-6 t-7 \"dst pw;2\" http://u:ch-pw-3@h";
        redactor.Redact(text).ShouldBe("******** ******** ******** ******** ******** ******** ******** \"********\" http://u:********@h");
        redactor.Redact("nothing secret here").ShouldBe("nothing secret here");
        redactor.Finds("a ch-pw-3 b").ShouldBeTrue();
    }

    [Fact]
    public void A_secret_is_masked_in_its_json_and_url_escaped_forms_and_a_longer_secret_wins()
    {
        var redactor = new Redactor(["pa\"ss/w", "abc", "abcdef"]);

        redactor.Redact("{\"e\":\"pa\\\"ss/w\"} pa%22ss%2Fw abcdef abc").ShouldBe("{\"e\":\"********\"} ******** ******** ********");
    }

    [Theory]
    [InlineData("Host=h;Password=p-1;Bogus=1", "p-1")]
    [InlineData("Host=h;PWD = 'p 2'", "p 2")]
    [InlineData("http://user:p%403@clickhouse:8123", "p@3")]
    public void Passwords_are_found_in_values_that_do_not_parse(string value, string password) =>
        SecretValues.InValue(value).ShouldContain(password);

    [Fact]
    public void A_configuration_error_quoting_a_resolved_secret_masks_it()
    {
        var file = Write(WithSecrets.Replace("silo: { name: silo-1,", "silo: { name: silo-1, idleTimeout: \"${env:IDLE}\",", StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "src-pw-5"), ("IDLE", "idle-secret-8"))));

        error.Key.ShouldBe("silo.idleTimeout");
        error.Message.ShouldContain("'********' is not a valid TimeSpan");
        error.Message.ShouldNotContain("idle-secret-8");
    }

    [Fact]
    public void A_clickhouse_url_with_credentials_is_refused_without_showing_the_password()
    {
        var file = Write(WithSecrets.Replace("url: \"http://127.0.0.1:8123\"", "url: \"http://default:url-pw-9@127.0.0.1:8123\"", StringComparison.Ordinal));

        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(file, Env(("SHOP_PASSWORD", "src-pw-5"))));

        error.Key.ShouldContain("clickhouse");
        error.Message.ShouldNotContain("url-pw-9");
    }
}
