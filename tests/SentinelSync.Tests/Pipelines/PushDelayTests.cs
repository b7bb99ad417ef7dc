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
        SourceRunner.PushDelay(queuedMs).ShouldBe(expected);
        (queuedMs + SourceRunner.PushDelay(queuedMs)).ShouldBeLessThanOrEqualTo(SourceRunner.MaxPushDelayMs);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(5_000)]
    public void A_queue_held_for_the_bound_is_pushed_at_once(long queuedMs) =>
        SourceRunner.PushDelay(queuedMs).ShouldBe(0);
}
