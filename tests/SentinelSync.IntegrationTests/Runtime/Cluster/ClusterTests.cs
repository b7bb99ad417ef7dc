using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SentinelSync.Runtime;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Runtime.Cluster;

public sealed class ClusterTests(ITestOutputHelper output)
{
    private static Task<TestCluster> StartAsync(int silos, WriteLog? log = null, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        TestCluster.StartAsync(silos, [typeof(TallyGrain).Assembly], s => s.AddSingleton(log ?? new WriteLog()), name: name);

    [Fact]
    public async Task A_thousand_grains_spread_over_three_silos_and_all_answer_again_after_one_dies()
    {
        await using var cluster = await StartAsync(3);
        var client = cluster.Silos[0].GrainFactory;
        var keys = Enumerable.Range(0, 1000).Select(i => $"g{i}").ToList();

        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, _) => await client.GetGrain<ITallyGrain>(key).AddAsync("init"));
        var perSilo = cluster.Silos.ToDictionary(s => s.Name, s => s.ActivationCount);
        output.WriteLine($"activations per silo: {string.Join(", ", perSilo)}");

        perSilo.Values.Sum().ShouldBe(1000);
        perSilo.Values.ShouldAllBe(n => n > 200, "rendezvous hashing spreads grains over all silos");

        var victim = cluster.Silos.Single(s => s.Name == perSilo.MaxBy(p => p.Value).Key);
        var survivor = cluster.Silos.First(s => s != victim);
        await cluster.KillSiloAsync(victim);
        await cluster.WaitForViewAsync(2);
        var declared = Stopwatch.StartNew();

        var counts = await Task.WhenAll(keys.Select(k => survivor.GrainFactory.GetGrain<ITallyGrain>(k).GetAsync()));
        declared.Stop();
        output.WriteLine($"all 1000 grains answered {declared.ElapsedMilliseconds} ms after the death was seen");

        counts.ShouldAllBe(c => c == 1, "state intact after failover");
        declared.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        cluster.Silos.Sum(s => s.ActivationCount).ShouldBe(1000);
    }

    [Fact]
    public async Task Each_silo_reports_another_silos_activations_by_type_as_that_silo_counts_them_and_fails_fast_for_a_dead_one()
    {
        await using var cluster = await StartAsync(2);
        var (asker, other) = (cluster.Silos[0], cluster.Silos[1]);
        var keys = Enumerable.Range(0, 200).Select(i => $"t{i}").ToList();
        await Task.WhenAll(keys.Select(k => asker.GrainFactory.GetGrain<ITallyGrain>(k).AddAsync("init")));
        var address = other.Address!;

        var remote = await other.GetActivationsByTypeAsync(address);
        var local = other.ActivationsByType;
        output.WriteLine($"{other.Name} says {string.Join(", ", remote)}; {asker.Name} holds {string.Join(", ", asker.ActivationsByType)}");
        remote.ShouldBe(local);
        (await asker.GetActivationsByTypeAsync(address)).ShouldBe(local, $"{asker.Name} asking {other.Name} at {address}");
        local.Keys.ShouldBe(["Tally"]);
        (local["Tally"] + asker.ActivationsByType["Tally"]).ShouldBe(200);
        local["Tally"].ShouldBeGreaterThan(0, "rendezvous placement put some tallies on the second silo");

        await cluster.KillSiloAsync(other);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var stopwatch = Stopwatch.StartNew();
        await Should.ThrowAsync<Exception>(() => asker.GetActivationsByTypeAsync(address, timeout.Token));
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "a dead silo's listener is gone: the call fails at once or at the timeout");
    }

    [Fact]
    public async Task A_fenced_counter_hammered_from_all_silos_counts_every_acknowledged_operation_once_while_its_silo_dies()
    {
        var log = new WriteLog();
        await using var cluster = await StartAsync(3, log);
        var silos = cluster.Silos;
        var home = await silos[0].GrainFactory.GetGrain<ITallyGrain>("counter").WhereAsync();
        var acknowledged = 0;
        var failures = 0;

        async Task WorkAsync(Silo silo, int worker)
        {
            for (var op = 0; op < 60; op++)
            {
                var id = $"{worker}-{op}";
                while (true)
                {
                    try
                    {
                        await silo.GrainFactory.GetGrain<ITallyGrain>("counter").AddAsync(id);
                        Interlocked.Increment(ref acknowledged);
                        break;
                    }
                    catch (Exception) when (silo.Name != home)
                    {
                        // The counter's silo is dying: retry the same operation id until it is acknowledged.
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        }

        var workers = silos.Where(s => s.Name != home).SelectMany((silo, i) => new[] { WorkAsync(silo, i * 2), WorkAsync(silo, (i * 2) + 1) }).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref acknowledged) >= 20), TimeSpan.FromSeconds(20), () => $"20 acknowledged increments before the kill, saw {acknowledged}");
        await cluster.KillSiloAsync(silos.Single(s => s.Name == home));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        var survivor = cluster.Silos[0];
        output.WriteLine($"acknowledged {acknowledged}, failed attempts retried {failures}, writes {log.Writes.Count}");
        (await survivor.GrainFactory.GetGrain<ITallyGrain>("counter").GetAsync()).ShouldBe(acknowledged);
        acknowledged.ShouldBe(4 * 60);
        (await survivor.GrainFactory.GetGrain<ITallyGrain>("counter").WhereAsync()).ShouldNotBe(home);

        // Writes in count order never go back to an older epoch: no two activations wrote at the same time.
        var writes = log.Writes.Where(w => w.Key == "counter").OrderBy(w => w.Count).ToList();
        writes.Select(w => w.Count).ShouldBe(Enumerable.Range(1, writes.Count));
        writes.Zip(writes.Skip(1)).ShouldAllBe(pair => pair.First.Epoch <= pair.Second.Epoch);
    }

    [Fact]
    public async Task A_paused_silo_cannot_write_once_superseded_and_stops_when_it_wakes()
    {
        await using var cluster = await StartAsync(3);
        var zombie = cluster.Silos[0];
        var key = Enumerable.Range(0, 100).Select(i => $"z{i}").First(k => RendezvousOwner(cluster, k) == zombie.Name);
        var onZombie = zombie.GrainFactory.GetGrain<ITallyGrain>(key);
        await onZombie.AddAsync("before");
        (await onZombie.WhereAsync()).ShouldBe(zombie.Name);

        zombie.PauseHeartbeats();
        var others = cluster.Silos.Where(s => s != zombie).ToList();
        await Eventually.WaitAsync(() => Task.FromResult(others.All(s => !s.ClusterView.Contains(zombie.Name))), TimeSpan.FromSeconds(15), () => "the paused silo to be declared dead");
        var onSurvivor = others[0].GrainFactory.GetGrain<ITallyGrain>(key);
        (await onSurvivor.AddAsync("after")).ShouldBe(2);
        (await onSurvivor.WhereAsync()).ShouldNotBe(zombie.Name);

        // The zombie still has its old activation and still runs calls, but its write is fenced.
        var fenced = await Should.ThrowAsync<GrainFencedException>(() => onZombie.AddAsync("zombie"));
        fenced.CurrentEpoch.ShouldNotBeNull().ShouldBeGreaterThan(fenced.Epoch);

        zombie.ResumeHeartbeats();
        await zombie.Died.WaitAsync(TimeSpan.FromSeconds(10));
        (await onSurvivor.GetAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task A_graceful_leave_loses_no_call()
    {
        await using var cluster = await StartAsync(3);
        var client = cluster.Silos[0];
        var leaving = cluster.Silos[2];
        var keys = Enumerable.Range(0, 200).Select(i => $"l{i}").ToList();
        await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).AddAsync("0")));
        leaving.ActivationCount.ShouldBeGreaterThan(0);

        using var stop = new CancellationTokenSource();
        var calls = 0;
        var load = Task.Run(async () =>
        {
            for (var round = 1; !stop.IsCancellationRequested; round++)
            {
                await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).AddAsync(round.ToString())));
                Interlocked.Add(ref calls, keys.Count);
            }
        });
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref calls) >= 400), TimeSpan.FromSeconds(20), () => $"load before the leave, {calls} calls");
        await cluster.StopSiloAsync(leaving);
        var afterLeave = Volatile.Read(ref calls);
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref calls) >= afterLeave + 400), TimeSpan.FromSeconds(20), () => "load after the leave");
        await stop.CancelAsync();
        await load;

        var counts = await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).GetAsync()));
        counts.Distinct().Count().ShouldBeLessThanOrEqualTo(2, "every grain saw every round (the last round may be partial)");
        output.WriteLine($"{calls} calls, none failed, across a graceful leave");
    }

    [Fact]
    public async Task A_joining_silo_takes_over_its_share_and_state_moves_with_the_grains()
    {
        await using var cluster = await StartAsync(2);
        var client = cluster.Silos[0];
        var keys = Enumerable.Range(0, 200).Select(i => $"j{i}").ToList();
        await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).AddAsync("1")));

        var joined = await cluster.StartSiloAsync();
        await cluster.WaitForViewAsync(3);
        await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).AddAsync("2")));
        var places = await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).WhereAsync()));
        var counts = await Task.WhenAll(keys.Select(k => client.GrainFactory.GetGrain<ITallyGrain>(k).GetAsync()));

        places.Count(p => p == joined.Name).ShouldBeGreaterThan(30, "about a third of the grains move to the new silo");
        counts.ShouldAllBe(c => c == 2);
        cluster.Silos.Sum(s => s.ActivationCount).ShouldBe(200, "each grain is active exactly once");
    }

    private static string RendezvousOwner(TestCluster cluster, string key) =>
        RendezvousPlacement.Owner(new GrainId("Tally", key), [.. cluster.Silos.Select(s => new MembershipEntry(s.Name, s.Address!, default, SiloStatus.Active, default, []))])!.Name;
}
