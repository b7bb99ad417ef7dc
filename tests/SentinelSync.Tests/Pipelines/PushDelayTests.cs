using SentinelSync.Replication.Pipelines;

namespace SentinelSync.Tests.Pipelines;

/// <summary>How long the source's read loop waits for more of a dry stream before pushing what it queued, and before reading on.</summary>
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

    [Theory]
    [InlineData(0, 10)]
    [InlineData(3, 7)]
    [InlineData(10, 0)]
    [InlineData(5_000, 0)]
    public void A_live_read_that_waited_for_a_change_pauses_until_the_queue_is_due(long queuedMs, long expected)
    {
        // The transactions committed meanwhile are then read in one go: one wake-up per push, not one per transaction.
        SourceRunner.ReadPause(lastReadDry: true, catchingUp: false, queued: 1, queuedMs).ShouldBe(expected);
    }

    [Fact]
    public void Nothing_queued_reads_on_at_once_so_a_quiet_streams_first_change_is_not_delayed() =>
        SourceRunner.ReadPause(lastReadDry: true, catchingUp: false, queued: 0, queuedMs: 0).ShouldBe(0);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_stream_with_more_at_hand_is_read_on_at_once(bool catchingUp) =>
        SourceRunner.ReadPause(lastReadDry: false, catchingUp, queued: 3, queuedMs: 2).ShouldBe(0);

    [Fact]
    public void A_source_catching_up_pauses_after_every_dry_read() =>
        SourceRunner.ReadPause(lastReadDry: true, catchingUp: true, queued: 0, queuedMs: 0).ShouldBe(SourceRunner.CatchUpReadPauseMs);
}
