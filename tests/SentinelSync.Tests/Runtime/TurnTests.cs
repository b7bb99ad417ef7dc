using SentinelSync.Runtime;
using SentinelSync.Testing;

namespace SentinelSync.Tests.Runtime;

public sealed class TurnTests
{
    [Fact]
    public async Task Concurrent_callers_never_overlap_turns_of_one_activation()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder);
        var grain = silo.GrainFactory.GetGrain<ITurnGrain>("serial");

        // 8 callers x 50 calls, each turn awaiting inside: every call must see the ones before it complete.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            var counts = new List<int>();
            for (var i = 0; i < 50; i++)
            {
                counts.Add(await grain.WorkAsync(caller * 1000 + i));
            }

            return counts;
        })));

        recorder.Violations.ShouldBeEmpty();
        recorder.MaxRunning["serial"].ShouldBe(1);
        results.SelectMany(r => r).Order().ShouldBe(Enumerable.Range(1, 400), "each turn saw all earlier turns finished");
    }

    [Fact]
    public async Task Read_only_calls_interleave_with_each_other_but_never_with_an_exclusive_turn()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder);
        var grain = silo.GrainFactory.GetGrain<ITurnGrain>("mixed");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => grain.ReadAsync()));
        var readOnlyOverlap = recorder.MaxRunning["mixed"];
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => i % 3 == 0 ? grain.WorkAsync(i) : grain.ReadAsync()));

        readOnlyOverlap.ShouldBeGreaterThan(1, "read-only turns of one activation run together");
        recorder.Violations.ShouldBeEmpty();
    }

    [Fact]
    public async Task Timer_ticks_run_as_turns_and_stop_at_deactivation()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder);
        var grain = silo.GrainFactory.GetGrain<ITurnGrain>("timer");

        await grain.StartTimerAsync(TimeSpan.FromMilliseconds(5));
        var hammer = Task.WhenAll(Enumerable.Range(0, 200).Select(grain.WorkAsync));
        var ticks = 0;
        await Eventually.WaitAsync(async () => (ticks = await grain.GetTimerTicksAsync()) >= 5, TimeSpan.FromSeconds(10), () => $"5 timer ticks, saw {ticks}");
        await hammer;

        recorder.Violations.ShouldBeEmpty();
        await grain.DeactivateAsync();
        await Eventually.WaitAsync(() => Task.FromResult(silo.ActivationCount == 0), TimeSpan.FromSeconds(10), () => $"deactivation on request, {silo.ActivationCount} activation(s) left");
        (await grain.GetTimerTicksAsync()).ShouldBe(0, "a new activation has no timer from the old one");
    }
}
