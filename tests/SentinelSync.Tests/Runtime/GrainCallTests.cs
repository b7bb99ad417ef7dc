using System.Text.Json;
using SentinelSync.Runtime;

namespace SentinelSync.Tests.Runtime;

public sealed class GrainCallTests
{
    [Fact]
    public async Task First_call_activates_and_the_activation_keeps_its_in_memory_state()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        var counter = silo.GrainFactory.GetGrain<ICounterGrain>("a");

        (await counter.IncrementAsync(2)).ShouldBe(2);
        (await counter.IncrementAsync(3)).ShouldBe(5);
        (await silo.GrainFactory.GetGrain<ICounterGrain>("a").GetAsync()).ShouldBe(5);
        (await silo.GrainFactory.GetGrain<ICounterGrain>("b").GetAsync()).ShouldBe(0);
        silo.ActiveGrains.ShouldBe([new GrainId("Counter", "a"), new GrainId("Counter", "b")], ignoreOrder: true);
    }

    [Fact]
    public async Task ValueTask_methods_round_trip()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        var counter = silo.GrainFactory.GetGrain<ICounterGrain>("v");
        await counter.IncrementAsync(7);

        (await counter.EchoAsync("héllo ✓")).ShouldBe("héllo ✓");
        await counter.ResetAsync();
        (await counter.GetAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task An_exception_in_a_grain_reaches_the_caller_with_its_type_and_message()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        var counter = silo.GrainFactory.GetGrain<ICounterGrain>("e");

        var error = await Should.ThrowAsync<ArgumentOutOfRangeException>(() => counter.FailAsync("bad value 42"));

        error.Message.ShouldContain("bad value 42");
        (await counter.IncrementAsync(1)).ShouldBe(1, "the activation survives a failed call");
    }

    [Fact]
    public async Task A_grain_can_be_called_with_JSON_arguments_by_type_key_and_method()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());

        var result = await silo.InvokeJsonAsync("Counter", "json", "IncrementAsync", JsonDocument.Parse("[5]").RootElement);
        var noResult = await silo.InvokeJsonAsync("Counter", "json", "ResetAsync", JsonDocument.Parse("[]").RootElement);

        result.ShouldBe(5);
        noResult.ShouldBeNull();
        (await silo.GrainFactory.GetGrain<ICounterGrain>("json").GetAsync()).ShouldBe(0);
        var wrongCount = await Should.ThrowAsync<ArgumentException>(() => silo.InvokeJsonAsync("Counter", "json", "IncrementAsync", JsonDocument.Parse("[]").RootElement));
        wrongCount.Message.ShouldContain("takes 1 argument(s); got 0");
        await Should.ThrowAsync<MissingMethodException>(() => silo.InvokeJsonAsync("Counter", "json", "NoSuchAsync", JsonDocument.Parse("[]").RootElement));
        await Should.ThrowAsync<KeyNotFoundException>(() => silo.InvokeJsonAsync("NoSuchGrain", "json", "GetAsync", JsonDocument.Parse("[]").RootElement));
    }

    [Fact]
    public async Task A_call_cycle_fails_fast_naming_the_cycle()
    {
        await using var silo = await SiloTestHost.StartAsync(new TurnRecorder());
        var a = silo.GrainFactory.GetGrain<ITurnGrain>("a");

        // a -> b -> a: a is still in the turn that called b.
        var error = await Should.ThrowAsync<GrainCallCycleException>(() => a.CallAsync("b", 2)).WaitAsync(TimeSpan.FromSeconds(10));

        error.Cycle.ShouldBe([new GrainId("Turn", "a"), new GrainId("Turn", "b"), new GrainId("Turn", "a")]);
        error.Message.ShouldContain("Turn/a -> Turn/b -> Turn/a");
        (await a.CallAsync("b", 1)).ShouldBe(0, "a chain without a cycle still works");
    }
}
