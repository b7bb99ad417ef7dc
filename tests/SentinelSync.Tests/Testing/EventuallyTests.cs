using SentinelSync.Testing;

namespace SentinelSync.Tests.Testing;

public sealed class EventuallyTests
{
    [Fact]
    public async Task Returns_as_soon_as_the_condition_holds()
    {
        var checks = 0;

        await Eventually.WaitAsync(
            () => Task.FromResult(++checks >= 3),
            TimeSpan.FromSeconds(10),
            () => $"checks={checks}");

        checks.ShouldBe(3);
    }

    [Fact]
    public async Task Times_out_with_the_description()
    {
        var checks = 0;

        var error = await Should.ThrowAsync<TimeoutException>(() => Eventually.WaitAsync(
            () => Task.FromResult(++checks < 0),
            TimeSpan.FromMilliseconds(100),
            () => $"phase=catch-up, expected 5 rows, actual {checks}"));

        error.Message.ShouldContain("phase=catch-up, expected 5 rows");
        checks.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Exceptions_from_the_condition_propagate()
    {
        await Should.ThrowAsync<InvalidOperationException>(() => Eventually.WaitAsync(
            () => throw new InvalidOperationException("broken"),
            TimeSpan.FromSeconds(10),
            () => "never described"));
    }
}
