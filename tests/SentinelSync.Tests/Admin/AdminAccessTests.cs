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
}
