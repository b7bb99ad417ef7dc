using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Tests.Pipelines;

/// <summary>How long the source's read loop waits for more of a dry stream before pushing what it queued.</summary>
public sealed class PushDelayTests
{
    [Theory]
    [InlineData(0, 5)]
    [InlineData(4, 5)]
    [InlineData(7, 3)]
    [InlineData(9, 1)]
    public void A_fresh_queue_waits_for_company_but_never_past_the_oldest_changes_bound(long queuedMs, long expected)
    {
        SourceRunner.PushDelay(queuedMs, catchingUp: false).ShouldBe(expected);
        (queuedMs + SourceRunner.PushDelay(queuedMs, catchingUp: false)).ShouldBeLessThanOrEqualTo(SourceRunner.MaxPushDelayMs);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(5_000)]
    public void A_queue_held_for_the_bound_is_pushed_at_once(long queuedMs) =>
        SourceRunner.PushDelay(queuedMs, catchingUp: false).ShouldBe(0);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(5, 95)]
    [InlineData(60, 40)]
    public void A_source_catching_up_waits_for_the_longer_bound_at_once(long queuedMs, long expected)
    {
        // Not 5 ms per dry read: a backlog's reads run dry every few changes, and each would push.
        SourceRunner.PushDelay(queuedMs, catchingUp: true).ShouldBe(expected);
        (queuedMs + SourceRunner.PushDelay(queuedMs, catchingUp: true)).ShouldBe(SourceRunner.CatchUpPushDelayMs);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(5_000)]
    public void A_source_catching_up_pushes_a_queue_held_for_its_bound_at_once(long queuedMs) =>
        SourceRunner.PushDelay(queuedMs, catchingUp: true).ShouldBe(0);
}
