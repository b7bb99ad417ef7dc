using System.Diagnostics;
using System.Runtime.CompilerServices;
using SentinelSync.Runtime;
using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Runtime.Membership;

/// <summary>Membership agents against a real control database: joins, failure detection, self-death, graceful leave.</summary>
public sealed class MembershipAgentTests(ITestOutputHelper output)
{
    // Death timeout (1 s) plus a generous number of probes: the build machine has 2 shared cores.
    private static readonly TimeSpan _detection = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan _propagation = TimeSpan.FromSeconds(3);

    private static Task<MembershipTestCluster> ClusterAsync([CallerMemberName] string test = "") => MembershipTestCluster.CreateAsync(test);

    [Fact]
    public async Task Three_silos_join_and_all_see_three_active_silos()
    {
        await using var cluster = await ClusterAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var c = await cluster.StartAsync("c");

        await cluster.WaitForViewsAsync([a, b, c], ["a", "b", "c"], _propagation, "after three joins");

        var snapshot = await cluster.Table.ReadAllAsync(default);
        snapshot.Rows.Select(r => r.Entry.Status).ShouldAllBe(s => s == SiloStatus.Active);
        a.ActiveSilos.Select(e => e.Address).ShouldBe(["http://127.0.0.1/a", "http://127.0.0.1/b", "http://127.0.0.1/c"]);
    }

    [Fact]
    public async Task An_abandoned_silo_is_voted_dead_and_drops_out_of_the_others_views()
    {
        await using var cluster = await ClusterAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var c = await cluster.StartAsync("c");
        await cluster.WaitForViewsAsync([a, b, c], ["a", "b", "c"], _propagation, "before the kill");
        var viewChanges = 0;
        a.ViewChanged += () => Interlocked.Increment(ref viewChanges);

        var clock = Stopwatch.StartNew();
        c.Abandon();
        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("c")).Entry.Status == SiloStatus.Dead,
            _detection,
            () => $"c abandoned {clock.ElapsedMilliseconds} ms ago should be Dead: {cluster.Describe()}");
        var dead = clock.Elapsed;
        await cluster.WaitForViewsAsync([a, b], ["a", "b"], _propagation, "after c was declared dead");
        output.WriteLine($"abandon -> Dead in the table: {dead.TotalMilliseconds:0} ms; -> out of both views: {clock.ElapsedMilliseconds} ms");

        var row = (await cluster.RowAsync("c")).Entry;
        string.Join(",", row.Suspicions.Select(v => v.Voter).Order()).ShouldBe("a,b", "VotesForDeath = 2 and two other live silos: both must vote");
        dead.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9), "no one may be declared dead before the death timeout");
        Volatile.Read(ref viewChanges).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task A_paused_silo_is_declared_dead_and_on_resume_stops_without_rejoining()
    {
        await using var cluster = await ClusterAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var c = await cluster.StartAsync("c");
        await cluster.WaitForViewsAsync([a, b, c], ["a", "b", "c"], _propagation, "before the pause");
        var declaredDead = 0;
        c.DeclaredDead += () => Interlocked.Increment(ref declaredDead);

        c.Pause();
        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("c")).Entry.Status == SiloStatus.Dead,
            _detection,
            () => $"paused c should be voted Dead: {cluster.Describe()}");
        Volatile.Read(ref declaredDead).ShouldBe(0, "a paused silo learns nothing until it resumes");

        c.Resume();
        await Eventually.WaitAsync(
            () => Task.FromResult(Volatile.Read(ref declaredDead) == 1),
            _propagation,
            () => $"resumed c should raise DeclaredDead once (raised {declaredDead} times)");
        var afterDeath = await cluster.RowAsync("c");

        // Let the cluster run for several of c's heartbeat intervals (measured by a's heartbeats), then check
        // that c wrote nothing more: no heartbeat, no rejoin.
        var aHeartbeat = (await cluster.RowAsync("a")).Entry.LastHeartbeat;
        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("a")).Entry.LastHeartbeat >= aHeartbeat + TimeSpan.FromMilliseconds(500),
            _propagation,
            () => "a should keep heartbeating");
        var later = await cluster.RowAsync("c");
        later.Entry.Status.ShouldBe(SiloStatus.Dead);
        later.Etag.ShouldBe(afterDeath.Etag, "c must not rejoin by itself");
        later.Entry.LastHeartbeat.ShouldBe(afterDeath.Entry.LastHeartbeat, "c must stop heartbeating");
        c.IsDeclaredDead.ShouldBeTrue();
        Volatile.Read(ref declaredDead).ShouldBe(1);
        c.ActiveSilos.Select(e => e.Name).ShouldNotContain("c");
    }

    [Fact]
    public async Task Graceful_shutdown_and_leave_remove_a_silo_from_the_views_without_votes()
    {
        await using var cluster = await ClusterAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var c = await cluster.StartAsync("c");
        await cluster.WaitForViewsAsync([a, b, c], ["a", "b", "c"], _propagation, "before the graceful stop");
        var declaredDead = false;
        c.DeclaredDead += () => declaredDead = true;

        await c.ShutDownAsync(default);
        await cluster.WaitForViewsAsync([a, b], ["a", "b"], _propagation, "after c started shutting down");
        (await cluster.RowAsync("c")).Entry.Status.ShouldBe(SiloStatus.ShuttingDown);
        await c.LeaveAsync(default);

        var row = (await cluster.RowAsync("c")).Entry;
        row.Status.ShouldBe(SiloStatus.Dead);
        row.Suspicions.ShouldBeEmpty("a graceful leave needs no votes");
        declaredDead.ShouldBeFalse("leaving is not being declared dead");
        c.IsDeclaredDead.ShouldBeFalse();
    }

    [Fact]
    public async Task A_restarted_incarnation_replaces_the_old_row_and_the_old_one_stops()
    {
        await using var cluster = await ClusterAsync();
        var a = await cluster.StartAsync("a");
        var oldC = await cluster.StartAsync("c");
        await cluster.WaitForViewsAsync([a, oldC], ["a", "c"], _propagation, "before the restart");
        var oldStartedAt = (await cluster.RowAsync("c")).Entry.StartedAt;
        var oldDeclaredDead = 0;
        oldC.DeclaredDead += () => Interlocked.Increment(ref oldDeclaredDead);

        oldC.Pause();
        var newC = await cluster.StartAsync("c");
        var row = (await cluster.RowAsync("c")).Entry;
        row.StartedAt.ShouldBeGreaterThan(oldStartedAt);
        row.Status.ShouldBe(SiloStatus.Active);
        await Eventually.WaitAsync(
            () => Task.FromResult(a.ActiveSilos.Count(e => e.Name == "c" && e.StartedAt == row.StartedAt) == 1 && a.ActiveSilos.Count == 2),
            _propagation,
            () => $"a should see the new incarnation of c once: [{string.Join(",", a.ActiveSilos.Select(e => $"{e.Name}@{e.StartedAt:HH:mm:ss.ffffff}"))}]");

        oldC.Resume();
        await Eventually.WaitAsync(
            () => Task.FromResult(Volatile.Read(ref oldDeclaredDead) == 1),
            _propagation,
            () => "the old incarnation should learn that a newer one took its name");
        (await cluster.RowAsync("c")).Entry.StartedAt.ShouldBe(row.StartedAt, "the old incarnation must not take its row back");
        newC.IsDeclaredDead.ShouldBeFalse();
    }

    [Fact]
    public async Task Expired_votes_do_not_count_so_a_single_voter_cannot_kill_when_two_votes_are_needed()
    {
        await using var cluster = await ClusterAsync();
        var options = MembershipTestCluster.FastOptions();
        var a = await cluster.StartAsync("a");
        // b is live but never suspects anyone, so a is the only voter.
        var neverVotes = MembershipTestCluster.FastOptions();
        neverVotes.DeathTimeout = TimeSpan.FromHours(1);
        await cluster.StartAsync("b", neverVotes);

        var now = DateTimeOffset.UtcNow;
        var expired = new SuspicionVote("b", now - options.VoteExpiration - TimeSpan.FromSeconds(1));
        var version = (await cluster.Table.ReadAllAsync(default)).Version;
        (await cluster.Table.InsertRowAsync(new MembershipEntry("ghost", "http://127.0.0.1/ghost", now, SiloStatus.Active, now, [expired]), version, default)).ShouldBeTrue();

        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("ghost")).Entry.Suspicions.Any(v => v.Voter == "a"),
            _detection,
            () => $"a should vote against the silent ghost: {cluster.Describe()}");
        // Give a several more probes: with the expired vote counted it would have reached 2 votes.
        var aHeartbeat = (await cluster.RowAsync("a")).Entry.LastHeartbeat;
        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("a")).Entry.LastHeartbeat >= aHeartbeat + TimeSpan.FromMilliseconds(500),
            _propagation,
            () => "a should keep heartbeating");
        var suspected = (await cluster.RowAsync("ghost")).Entry;
        suspected.Status.ShouldBe(SiloStatus.Active, "one unexpired vote of two needed must not kill");
        suspected.Suspicions.Select(v => v.Voter).ShouldBe(["a"], "the expired vote is dropped when a votes");

        // A fresh vote by b (written directly) completes the quorum at a's next probe.
        await Eventually.WaitAsync(
            async () =>
            {
                var (entry, etag) = await cluster.RowAsync("ghost");
                var snapshot = await cluster.Table.ReadAllAsync(default);
                var withB = entry with { Suspicions = [.. entry.Suspicions, new SuspicionVote("b", DateTimeOffset.UtcNow)] };
                return entry.Status == SiloStatus.Dead || await cluster.Table.UpdateRowAsync(withB, etag, snapshot.Version, default);
            },
            _propagation,
            () => "adding b's vote kept losing races");
        await Eventually.WaitAsync(
            async () => (await cluster.RowAsync("ghost")).Entry.Status == SiloStatus.Dead,
            _detection,
            () => $"a's vote and b's fresh vote should kill the ghost: {cluster.Describe()}");
    }
}
