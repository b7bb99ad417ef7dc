using SentinelSync.Runtime;

namespace SentinelSync.Tests.Runtime;

public sealed class StateStoreTests
{
    private static readonly GrainId s_grain = new("Stateful", "k");

    [Fact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var leases = new InMemoryGrainLeaseStore();
        var store = new InMemoryGrainStateStore(leases);
        var epoch = await leases.AcquireAsync(s_grain, default);
        var first = await store.WriteAsync(s_grain, "s", "{\"v\":1}", null, epoch, default);
        await store.WriteAsync(s_grain, "s", "{\"v\":2}", first, epoch, default);

        var error = await Should.ThrowAsync<InconsistentStateException>(() => store.WriteAsync(s_grain, "s", "{\"v\":3}", first, epoch, default));

        error.ExpectedEtag.ShouldBe(first);
        (await store.ReadAsync(s_grain, "s", default))!.Json.ShouldBe("{\"v\":2}");
    }

    [Fact]
    public async Task A_superseded_epoch_cannot_write()
    {
        var leases = new InMemoryGrainLeaseStore();
        var store = new InMemoryGrainStateStore(leases);
        var old = await leases.AcquireAsync(s_grain, default);
        var etag = await store.WriteAsync(s_grain, "s", "{}", null, old, default);
        var current = await leases.AcquireAsync(s_grain, default);

        var error = await Should.ThrowAsync<GrainFencedException>(() => store.WriteAsync(s_grain, "s", "{\"zombie\":true}", etag, old, default));

        error.CurrentEpoch.ShouldBe(current);
        (await store.ReadAsync(s_grain, "s", default))!.Json.ShouldBe("{}");
    }

    [Fact]
    public async Task Grain_state_is_injected_written_and_cleared()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        var grain = silo.GrainFactory.GetGrain<IStatefulGrain>("s1");

        await grain.AddAsync("one");
        (await grain.AddAsync("two")).ShouldBe(2);
        (await grain.GetEtagAsync()).ShouldBe("2");
        await grain.ClearAsync();

        (await grain.GetAsync()).Value.ShouldBe(0);
        (await grain.GetEtagAsync()).ShouldBeNull();
        (await grain.AddAsync("three")).ShouldBe(1);
    }
}
