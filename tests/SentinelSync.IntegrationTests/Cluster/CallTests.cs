using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using SentinelSync.Replication.Cluster;
using SentinelSync.Replication.Resync;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Cluster;

/// <summary>Grain calls as SentinelSync relies on them: turns, cycles, failures across silos, retries after a silo dies.</summary>
public sealed class CallTests
{
    [Fact]
    public async Task Read_only_calls_interleave_and_ordinary_calls_take_turns()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(1);
        var probe = cluster.Client.GetGrain<IProbeGrain>("turns");

        (await Task.WhenAll(probe.MeetReadOnlyAsync(), probe.MeetReadOnlyAsync())).ShouldBe([true, true]);
        (await Task.WhenAll(probe.MeetExclusiveAsync(), probe.MeetExclusiveAsync())).ShouldBe([false, false]);
    }

    [Fact]
    public async Task A_call_cycle_fails_at_once_naming_the_chain_while_a_path_without_one_completes()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(2);
        (await cluster.Client.GetGrain<IProbeGrain>("a").ForwardAsync(["b", "c"])).ShouldBe("a -> b -> c");

        var stopwatch = Stopwatch.StartNew();
        var cycle = await Should.ThrowAsync<GrainCallCycleException>(() => cluster.Client.GetGrain<IProbeGrain>("a").ForwardAsync(["b", "a"]));
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), "a cycle must not wait out the 30 s response timeout");
        cycle.Chain.ShouldBe("test-probe/a -> test-probe/b -> test-probe/a");
    }

    [Fact]
    public async Task A_project_exception_thrown_on_one_silo_reaches_a_caller_on_another_with_its_type_and_message()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(2);
        var (target, _, caller) = await GrainOnOneSiloCallerOnTheOtherAsync(cluster, "x");

        var rejected = await Should.ThrowAsync<ResyncRejectedException>(() => caller.GetGrain<IProbeGrain>(target).RejectAsync("rejected on the other silo"));
        rejected.Message.ShouldBe("rejected on the other silo");

        var failed = await Should.ThrowAsync<GrainCallFailedException>(() => caller.GetGrain<IProbeGrain>(target).FailLikeADatabaseAsync());
        failed.OriginalType.ShouldBe("Npgsql.PostgresException");
        failed.SqlState.ShouldBe("23505");
        failed.Message.ShouldContain("duplicate key value violates unique constraint");
    }

    [Fact]
    public async Task An_idempotent_call_in_flight_when_its_silo_dies_is_retried_on_the_survivor_and_an_ordinary_one_fails()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(2);
        var (first, victim, survivor) = await GrainOnOneSiloCallerOnTheOtherAsync(cluster, "slow");
        var second = await KeyOnAsync(cluster, victim, "slow", except: first);

        var idempotent = survivor.GetGrain<IProbeGrain>(first).SlowIdempotentAsync(TimeSpan.FromSeconds(5));
        var ordinary = survivor.GetGrain<IProbeGrain>(second).SlowAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(500);
        await cluster.Cluster.KillSiloAsync(cluster.Silo(victim));

        (await idempotent).ShouldNotBe(victim, "retried once on the grain's new activation");
        await Should.ThrowAsync<SiloUnavailableException>(() => ordinary);
    }

    /// <summary>A key of a grain placed on one silo, that silo's name, and the grain factory of the other silo.</summary>
    private static async Task<(string Key, string Silo, IGrainFactory OtherSilo)> GrainOnOneSiloCallerOnTheOtherAsync(SentinelTestCluster cluster, string prefix)
    {
        var key = $"{prefix}0";
        var silo = await cluster.Client.GetGrain<IProbeGrain>(key).SiloAsync();
        var other = cluster.Cluster.Silos.Single(s => s != cluster.Silo(silo));
        return (key, silo, other.ServiceProvider.GetRequiredService<IGrainFactory>());
    }

    private static async Task<string> KeyOnAsync(SentinelTestCluster cluster, string silo, string prefix, string except)
    {
        for (var i = 1; ; i++)
        {
            var key = $"{prefix}{i}";
            if (key != except && await cluster.Client.GetGrain<IProbeGrain>(key).SiloAsync() == silo)
            {
                return key;
            }
        }
    }
}
