using System.Runtime.CompilerServices;
using SentinelSync.Runtime;
using Xunit;

namespace SentinelSync.Testing.Membership;

/// <summary>
/// The atomicity contract of <see cref="IMembershipTable"/>, run once per backend: each backend's test class
/// derives from this one and says how to create an empty table. The tests live here (not in a test project) so
/// that both the fast and the integration test projects can run them.
/// </summary>
public abstract class MembershipTableContractTests
{
    private const int Contenders = 20;
    private static readonly DateTimeOffset _t0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh, empty table for the calling test.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync([CallerMemberName] string testName = "");

    [Fact]
    public async Task Insert_then_read_back_returns_the_row_and_a_bumped_version()
    {
        var table = await CreateTableAsync();
        var empty = await table.ReadAllAsync(default);
        var entry = Entry("silo-a", SiloStatus.Joining);

        Assert.Empty(empty.Rows);
        Assert.True(await table.InsertRowAsync(entry, empty.Version, default), "insert with the current version must win");

        var after = await table.ReadAllAsync(default);
        var (read, etag) = Assert.Single(after.Rows);
        AssertSame(entry, read);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(empty.Version + 1, after.Version);
    }

    [Fact]
    public async Task Inserting_an_existing_name_loses_even_with_the_current_version()
    {
        var table = await CreateTableAsync();
        await InsertAsync(table, Entry("silo-a", SiloStatus.Active));
        var before = await table.ReadAllAsync(default);

        var second = await table.InsertRowAsync(Entry("silo-a", SiloStatus.Joining) with { Address = "http://other:1" }, before.Version, default);

        Assert.False(second, "a second insert of the same name must lose");
        var after = await table.ReadAllAsync(default);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal("http://127.0.0.1:11111", Assert.Single(after.Rows).Entry.Address);
    }

    [Fact]
    public async Task Of_twenty_concurrent_inserts_with_the_same_version_exactly_one_wins()
    {
        var table = await CreateTableAsync();
        var version = (await table.ReadAllAsync(default)).Version;
        using var start = new ManualResetEventSlim();

        var inserts = Enumerable.Range(0, Contenders)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await table.InsertRowAsync(Entry($"silo-{i:00}", SiloStatus.Joining), version, default);
            }))
            .ToList();
        start.Set();
        var results = await Task.WhenAll(inserts);

        Assert.Equal(1, results.Count(r => r));
        var after = await table.ReadAllAsync(default);
        var row = Assert.Single(after.Rows);
        Assert.Equal($"silo-{Array.IndexOf(results, true):00}", row.Entry.Name);
        Assert.Equal(version + 1, after.Version);
    }

    [Fact]
    public async Task Of_twenty_concurrent_updates_of_one_row_with_the_same_etag_and_version_exactly_one_wins()
    {
        var table = await CreateTableAsync();
        await InsertAsync(table, Entry("silo-a", SiloStatus.Active));
        var before = await table.ReadAllAsync(default);
        var (entry, etag) = Assert.Single(before.Rows);
        using var start = new ManualResetEventSlim();

        var updates = Enumerable.Range(0, Contenders)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                var voted = entry with { Suspicions = [new SuspicionVote($"voter-{i:00}", _t0)] };
                return await table.UpdateRowAsync(voted, etag, before.Version, default);
            }))
            .ToList();
        start.Set();
        var results = await Task.WhenAll(updates);

        Assert.Equal(1, results.Count(r => r));
        var after = await table.ReadAllAsync(default);
        var (read, newEtag) = Assert.Single(after.Rows);
        Assert.Equal($"voter-{Array.IndexOf(results, true):00}", Assert.Single(read.Suspicions).Voter);
        Assert.NotEqual(etag, newEtag);
        Assert.Equal(before.Version + 1, after.Version);
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_or_a_stale_version_loses_and_changes_nothing()
    {
        var table = await CreateTableAsync();
        await InsertAsync(table, Entry("silo-a", SiloStatus.Joining));
        var first = await table.ReadAllAsync(default);
        var (entry, staleEtag) = Assert.Single(first.Rows);
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Active }, staleEtag, first.Version, default));
        var current = await table.ReadAllAsync(default);
        var currentEtag = Assert.Single(current.Rows).Etag;

        var withStaleEtag = await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, staleEtag, current.Version, default);
        var withStaleVersion = await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, currentEtag, first.Version, default);
        var withUnknownRow = await table.UpdateRowAsync(Entry("silo-z", SiloStatus.Dead), currentEtag, current.Version, default);

        Assert.False(withStaleEtag, "a stale etag with the current version must lose");
        Assert.False(withStaleVersion, "the current etag with a stale table version must lose");
        Assert.False(withUnknownRow, "updating a row that does not exist must lose");
        var after = await table.ReadAllAsync(default);
        Assert.Equal(current.Version, after.Version);
        Assert.Equal(SiloStatus.Active, Assert.Single(after.Rows).Entry.Status);
        Assert.Equal(currentEtag, after.Rows[0].Etag);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_the_heartbeat_but_neither_etag_nor_version()
    {
        var table = await CreateTableAsync();
        await InsertAsync(table, Entry("silo-a", SiloStatus.Active));
        var before = await table.ReadAllAsync(default);
        var heartbeat = _t0.AddSeconds(42).AddMicroseconds(123_456);

        await table.UpdateIAmAliveAsync("silo-a", heartbeat, default);
        await table.UpdateIAmAliveAsync("silo-unknown", heartbeat, default);

        var after = await table.ReadAllAsync(default);
        var (entry, etag) = Assert.Single(after.Rows);
        Assert.Equal(heartbeat, entry.LastHeartbeat);
        Assert.Equal(before.Rows[0].Etag, etag);
        Assert.Equal(before.Version, after.Version);
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.ShuttingDown }, etag, after.Version, default),
            "the etag and version read before the heartbeat must still win");
    }

    [Fact]
    public async Task Suspicions_round_trip()
    {
        var table = await CreateTableAsync();
        SuspicionVote[] votes = [new("silo-b", _t0.AddMilliseconds(1.5)), new("silo-ç \"quoted\"", _t0.AddHours(-1))];
        var entry = Entry("silo-a", SiloStatus.Active) with { Suspicions = votes };
        await InsertAsync(table, entry);
        var snapshot = await table.ReadAllAsync(default);
        var inserted = Assert.Single(snapshot.Rows);
        AssertSame(entry, inserted.Entry);

        var cleared = entry with { Status = SiloStatus.Dead, Suspicions = [] };
        Assert.True(await table.UpdateRowAsync(cleared, inserted.Etag, snapshot.Version, default));

        AssertSame(cleared, Assert.Single((await table.ReadAllAsync(default)).Rows).Entry);
    }

    private static async Task InsertAsync(IMembershipTable table, MembershipEntry entry)
    {
        var version = (await table.ReadAllAsync(default)).Version;
        Assert.True(await table.InsertRowAsync(entry, version, default), $"inserting {entry.Name} into the empty table must win");
    }

    private static MembershipEntry Entry(string name, SiloStatus status) =>
        new(name, "http://127.0.0.1:11111", _t0, status, _t0.AddSeconds(1), []);

    private static void AssertSame(MembershipEntry expected, MembershipEntry actual)
    {
        // Records compare lists by reference, so compare field by field.
        Assert.Equal(expected with { Suspicions = [] }, actual with { Suspicions = [] });
        Assert.Equal(expected.Suspicions, actual.Suspicions);
    }
}
