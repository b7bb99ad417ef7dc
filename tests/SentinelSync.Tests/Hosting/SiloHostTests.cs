using Microsoft.Extensions.Configuration;
using SentinelSync.Configuration;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed class SiloHostTests
{
    [Fact]
    public async Task The_silo_does_not_watch_its_working_directory_for_configuration_files()
    {
        var config = new SentinelConfig { ControlDb = "Host=127.0.0.1;Username=postgres", Silo = { Name = "watch-test", HttpPort = 1 } };
        await using var app = SiloHost.Build(config);

        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        // ASP.NET's defaults add appsettings.json (and the environment's) with a recursive watch of the content root.
        files.ShouldNotBeEmpty();
        files.ShouldAllBe(f => !f.Source.ReloadOnChange);
    }
}
