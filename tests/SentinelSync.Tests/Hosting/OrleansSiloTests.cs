using System.Collections;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using SentinelSync.Configuration;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed class OrleansSiloTests
{
    [Fact]
    public void The_grain_directory_cache_is_sized_for_the_grains_a_silo_holds_not_for_a_million()
    {
        var file = Path.Combine(Path.GetTempPath(), $"silo-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            controlDb: "Host=127.0.0.1;Port=5433;Database=sentinel;Username=postgres"
            silo: { name: s1 }
            """);
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.AddSentinelSilo(SentinelConfigLoader.Load(file, new Hashtable()));
            using var app = builder.Build();

            var directory = app.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value;
            directory.CacheSize.ShouldBe(OrleansSilo.DirectoryCacheSize);
            directory.CacheSize.ShouldBeLessThan(new GrainDirectoryOptions().CacheSize);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
