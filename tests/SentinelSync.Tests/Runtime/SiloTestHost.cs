using Microsoft.Extensions.DependencyInjection;
using SentinelSync.Runtime;

namespace SentinelSync.Tests.Runtime;

/// <summary>An in-memory silo (no control database) with the test grains and a <see cref="TurnRecorder"/>.</summary>
internal static class SiloTestHost
{
    public static Task<Silo> StartAsync(TurnRecorder recorder, TimeSpan? idleTimeout = null) =>
        Silo.StartAsync(
            new SiloOptions
            {
                Name = "test-silo",
                IdleTimeout = idleTimeout ?? TimeSpan.FromMinutes(10),
                CollectionInterval = TimeSpan.FromMilliseconds(50),
            },
            services: new ServiceCollection().AddSingleton(recorder).BuildServiceProvider(),
            grainAssemblies: [typeof(CounterGrain).Assembly]);
}
