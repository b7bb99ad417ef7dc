using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;
using SentinelSync.Replication.Cluster;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Cluster;

/// <summary>
/// What SentinelSync adds to Orleans for durable writes, on a TestingHost cluster over the real control database:
/// lease epochs that fence a superseded activation, ETags, and state that survives a killed silo.
/// </summary>
public sealed class FencingAndStateTests
{
    private const string UpdateLeaseSql = "UPDATE sentinel.grain_lease SET epoch = epoch + 1, silo = 'another-silo' WHERE grain_type = 'test-counter' AND grain_key = $1";

    [Fact]
    public async Task An_activation_whose_lease_was_taken_over_cannot_write_and_the_caller_gets_the_fencing_error_across_silos()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(2);
        var counter = cluster.Client.GetGrain<ICounterGrain>("fenced");
        (await counter.IncrementAsync()).ShouldBe(1);
        var before = await counter.ReadAsync();

        // Another activation somewhere (Orleans' directory converges only eventually) took the lease.
        await using (var command = cluster.ControlDb.CreateCommand(UpdateLeaseSql))
        {
            command.Parameters.AddWithValue("fenced");
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var refused = await Should.ThrowAsync<GrainFencedException>(() => counter.IncrementAsync());
        refused.Epoch.ShouldBe(before.Epoch);
        refused.CurrentEpoch.ShouldBe(before.Epoch + 1);
        refused.Message.ShouldContain("was superseded");
        await using var stored = cluster.ControlDb.CreateCommand("SELECT payload->>'count' FROM sentinel.grain_state WHERE grain_type = 'test-counter' AND grain_key = 'fenced'");
        (await stored.ExecuteScalarAsync()).ShouldBe("1", "the superseded activation wrote nothing");
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(1);
        var grainId = cluster.Client.GetGrain<ICounterGrain>("etag").GetGrainId();
        (await cluster.Client.GetGrain<ICounterGrain>("etag").IncrementAsync()).ShouldBe(1);
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(FencedGrainStorage.Name);

        var first = new GrainState<CounterState>();
        var second = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grainId, first);
        await storage.ReadStateAsync("counter", grainId, second);
        first.State!.Count = 10;
        await storage.WriteStateAsync("counter", grainId, first);
        second.State!.Count = 20;
        await Should.ThrowAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, second));

        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grainId, read);
        read.State!.Count.ShouldBe(10);
        read.ETag.ShouldBe(first.ETag);
    }

    [Fact]
    public async Task A_killed_silos_grain_answers_from_a_survivor_with_its_state_and_a_higher_epoch()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(3);
        var counters = Enumerable.Range(0, 12).Select(i => cluster.Client.GetGrain<ICounterGrain>($"c{i}")).ToList();
        foreach (var counter in counters)
        {
            await counter.IncrementAsync();
            await counter.IncrementAsync();
        }

        var readings = await Task.WhenAll(counters.Select(c => c.ReadAsync()));
        var victim = readings.GroupBy(r => r.Silo).OrderByDescending(g => g.Count()).First().Key;
        var moved = counters.Where((_, i) => readings[i].Silo == victim).ToList();
        var epochsBefore = readings.Where(r => r.Silo == victim).Select(r => r.Epoch).ToList();

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await cluster.Cluster.KillSiloAsync(cluster.Silo(victim));
        // The test client may have used the killed silo as its gateway, or a gateway may have forwarded the call to the
        // killed silo before it was declared dead (the call is then lost and would wait out Orleans' 30 s response
        // timeout): a read that cannot reach the silo or goes unanswered for 5 s is sent again, as a caller would.
        var after = await Task.WhenAll(moved.Select(c => ThroughAnotherGatewayAsync(c.ReadAsync)));
        stopwatch.Stop();

        after.ShouldAllBe(r => r.Silo != victim && r.Count == 2);
        after.Select((r, i) => r.Epoch > epochsBefore[i]).ShouldAllBe(higher => higher, "every moved grain took a higher epoch");
        (await moved[0].IncrementAsync()).ShouldBe(3);
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the grains of a killed silo are placed anew once it is declared dead");
    }

    [Fact]
    public async Task Epochs_stay_above_those_handed_out_before_the_control_database_lost_its_lease_rows()
    {
        // Destinations keep the last writer's epoch and refuse lower ones: a control database recreated or restored
        // from a backup must not hand out epochs from 1 again, or every new activation is fenced and a zombie is not.
        await using var cluster = await SentinelTestCluster.StartAsync(1);
        var counter = cluster.Client.GetGrain<ICounterGrain>("restored");
        await counter.IncrementAsync();
        var before = await counter.ReadAsync();

        await using (var command = cluster.ControlDb.CreateCommand("DELETE FROM sentinel.grain_lease WHERE grain_type = 'test-counter' AND grain_key = 'restored'"))
        {
            (await command.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await counter.ReadAsync();

        after.Epoch.ShouldBeGreaterThan(before.Epoch, "the activation after the lease row was lost");
        var again = await cluster.Client.GetGrain<ICounterGrain>("another").ReadAsync();
        again.Epoch.ShouldBeGreaterThan(before.Epoch, "a grain never seen before also takes an epoch above every earlier one");
    }

    [Fact]
    public async Task Rendezvous_placement_puts_every_grain_on_its_owner_and_spreads_them()
    {
        await using var cluster = await SentinelTestCluster.StartAsync(3);
        var names = cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<ILocalSiloDetails>().Name).ToList();
        var silos = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.Client.GetGrain<IProbeGrain>($"p{i}").SiloAsync()));

        for (var i = 0; i < silos.Length; i++)
        {
            silos[i].ShouldBe(RendezvousPlacement.Owner("test-probe", $"p{i}", names), $"grain p{i}");
        }

        silos.Distinct().Count().ShouldBe(3, "30 grains over 3 silos land on every silo");
    }

    private static async Task<T> ThroughAnotherGatewayAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException && attempt < 20)
            {
                await Task.Delay(500);
            }
        }
    }
}
