using SentinelSync.Runtime;
using SentinelSync.Testing;

namespace SentinelSync.Tests.Runtime;

public sealed class LifecycleTests
{
    [Fact]
    public async Task An_idle_grain_deactivates_and_the_next_call_activates_it_again()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder, idleTimeout: TimeSpan.FromMilliseconds(200));
        var grain = silo.GrainFactory.GetGrain<ITurnGrain>("idle");

        await grain.WorkAsync(1);
        await Eventually.WaitAsync(() => Task.FromResult(recorder.Events.Contains("deactivate idle Idle")), TimeSpan.FromSeconds(10), () => $"idle deactivation; events: {string.Join("; ", recorder.Events)}");
        silo.ActivationCount.ShouldBe(0);
        (await grain.WorkAsync(2)).ShouldBe(1, "the new activation starts from scratch");

        recorder.Events.Count(e => e == "activate idle").ShouldBe(2);
    }

    [Fact]
    public async Task A_busy_grain_is_not_collected()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder, idleTimeout: TimeSpan.FromMilliseconds(300));
        var grain = silo.GrainFactory.GetGrain<ITurnGrain>("busy");

        var until = DateTime.UtcNow.AddMilliseconds(900);
        var calls = 0;
        while (DateTime.UtcNow < until)
        {
            calls = await grain.WorkAsync(calls);
        }

        recorder.Events.ShouldNotContain("deactivate busy Idle");
        calls.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task A_failing_activation_is_cleaned_up_and_its_error_reaches_the_caller()
    {
        var recorder = new TurnRecorder();
        await using var silo = await SiloTestHost.StartAsync(recorder);
        BrokenGrain.Attempts = 0;
        var grain = silo.GrainFactory.GetGrain<IBrokenGrain>("x");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => grain.HelloAsync());

        error.Message.ShouldBe("activation refused on purpose");
        silo.ActivationCount.ShouldBe(0);
        (await grain.HelloAsync()).ShouldBe("hello");
        BrokenGrain.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task Stopping_the_silo_finishes_in_flight_calls_then_deactivates_every_grain()
    {
        var recorder = new TurnRecorder();
        var silo = await SiloTestHost.StartAsync(recorder);
        var grains = Enumerable.Range(0, 20).Select(i => silo.GrainFactory.GetGrain<ITurnGrain>($"g{i}")).ToList();
        var inFlight = grains.SelectMany(g => Enumerable.Range(0, 10).Select(g.WorkAsync)).ToList();

        await silo.StopAsync();

        inFlight.ShouldAllBe(t => t.IsCompletedSuccessfully);
        recorder.Events.Count(e => e.EndsWith(" SiloShutdown", StringComparison.Ordinal)).ShouldBe(20);
        silo.ActivationCount.ShouldBe(0);
        await Should.ThrowAsync<SiloUnavailableException>(() => grains[0].WorkAsync(99));
    }
}
