using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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

    [Fact]
    public async Task Orleans_logs_warnings_by_default_and_the_configuration_can_raise_it()
    {
        var config = new SentinelConfig { ControlDb = "Host=127.0.0.1;Username=postgres", Silo = { Name = "levels-test", HttpPort = 1 } };
        await using (var quiet = SiloHost.Build(config))
        {
            var orleans = quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Runtime.Silo");
            orleans.IsEnabled(LogLevel.Information).ShouldBeFalse();
            orleans.IsEnabled(LogLevel.Warning).ShouldBeTrue();
            quiet.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SentinelSync.Replication.Grains.SinkGrain").IsEnabled(LogLevel.Information).ShouldBeTrue();
        }

        // The same key as the default's: a rule in code would win over it.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Orleans", "Information");
        try
        {
            await using var chatty = SiloHost.Build(config);
            chatty.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Runtime.Silo").IsEnabled(LogLevel.Information).ShouldBeTrue();
        }
        finally
        {
            Environment.SetEnvironmentVariable("Logging__LogLevel__Orleans", null);
        }
    }
}
