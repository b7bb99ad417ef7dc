using System.Collections;
using SentinelSync.Configuration;

namespace SentinelSync.Tests.Admin;

public sealed class AdminAccessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sentinel-admin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string silo)
    {
        var path = Path.Combine(_directory, "sentinel.yaml");
        File.WriteAllText(path, $"""
            controlDb: "Host=127.0.0.1;Database=sentinel;Username=postgres"
            silo: {silo}
            """);
        return path;
    }

    private static IDictionary Env(params (string Key, string Value)[] variables) => variables.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void A_non_loopback_listen_address_without_a_token_is_refused_naming_both_keys()
    {
        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write("{ name: s1, listen: 0.0.0.0 }"), Env()));

        error.Key.ShouldBe("silo.listen");
        error.Problem.ShouldContain("silo.token");
        error.Problem.ShouldContain("SENTINEL_TOKEN");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Loopback_addresses_need_no_token(string listen)
    {
        var config = SentinelConfigLoader.Load(Write($"{{ name: s1, listen: \"{listen}\" }}"), Env());

        config.Silo.Token.ShouldBeNull();
    }

    [Fact]
    public void The_token_comes_from_the_file_first_then_SENTINEL_TOKEN()
    {
        SentinelConfigLoader.Load(Write("{ name: s1, listen: 0.0.0.0 }"), Env(("SENTINEL_TOKEN", "from-env"))).Silo.Token.ShouldBe("from-env");
        SentinelConfigLoader.Load(Write("{ name: s1, listen: 0.0.0.0, token: from-file }"), Env(("SENTINEL_TOKEN", "from-env"))).Silo.Token.ShouldBe("from-file");
    }

    private const string Viewer = "viewer-token-0123456789";

    private const string Operator = "operator-token-0123456789";

    [Fact]
    public void Role_tokens_are_read_with_their_ids_and_silo_token_stays_an_operator_token()
    {
        var config = SentinelConfigLoader.Load(Write($$"""
            { name: s1, listen: 0.0.0.0, token: legacy-token,
              tokens: [ { id: grafana, token: {{Viewer}} }, { id: ops-alice, token: {{Operator}}, role: operator } ] }
            """), Env());

        AdminAccess.Identities(config.Silo).ShouldBe(
        [
            new AdminIdentity("silo.token", "legacy-token", AdminRole.Operator),
            new AdminIdentity("grafana", Viewer, AdminRole.Viewer),
            new AdminIdentity("ops-alice", Operator, AdminRole.Operator),
        ]);
        config.Secrets.ShouldContain(Viewer);
        config.Secrets.ShouldContain(Operator);
    }

    [Fact]
    public void Role_tokens_alone_let_a_silo_listen_beyond_loopback()
    {
        var config = SentinelConfigLoader.Load(Write($$"""{ name: s1, listen: 0.0.0.0, tokens: [ { id: grafana, token: {{Viewer}} } ] }"""), Env());

        config.Silo.Token.ShouldBeNull();
        AdminAccess.Identities(config.Silo).Single().Role.ShouldBe(AdminRole.Viewer);
    }

    [Theory]
    [InlineData("[ { token: viewer-token-0123456789 } ]", "silo.tokens[0].id", "is required")]
    [InlineData("[ { id: a, token: viewer-token-0123456789 }, { id: a, token: operator-token-0123456789 } ]", "silo.tokens[1].id", "used twice")]
    [InlineData("[ { id: silo.token, token: viewer-token-0123456789 } ]", "silo.tokens[0].id", "reserved")]
    [InlineData("[ { id: a, token: short } ]", "silo.tokens[0].token", "at least 16")]
    [InlineData("[ { id: a, token: viewer-token-0123456789 }, { id: b, token: viewer-token-0123456789 } ]", "silo.tokens[1].token", "same token")]
    [InlineData("[ { id: a, token: viewer-token-0123456789, role: admin } ]", "silo.tokens[0].role", "not a valid")]
    public void A_malformed_token_entry_is_refused_naming_its_key(string tokens, string key, string problem)
    {
        var error = Should.Throw<ConfigurationException>(() => SentinelConfigLoader.Load(Write($"{{ name: s1, tokens: {tokens} }}"), Env()));

        error.Key.ShouldBe(key);
        error.Problem.ShouldContain(problem);
        error.Message.ShouldNotContain("viewer-token-0123456789");
    }
}
