using SentinelSync.Admin;

namespace SentinelSync.Tests.Admin;

public sealed class WalTimelineTests
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_pipeline_at_or_beyond_the_latest_wal_end_has_no_lag()
    {
        var timeline = new WalTimeline();
        timeline.Observe(s_start, 100);
        timeline.Observe(s_start.AddSeconds(1), 200);

        timeline.LagSeconds(s_start.AddSeconds(1), applied: 200).ShouldBe(0);
        timeline.LagSeconds(s_start.AddSeconds(1), applied: 250).ShouldBe(0);
    }

    [Fact]
    public void Behind_the_wal_end_the_lag_counts_from_the_last_time_the_wal_ended_at_or_below_the_applied_position()
    {
        var timeline = new WalTimeline();
        timeline.Observe(s_start, 100);
        timeline.Observe(s_start.AddSeconds(1), 200);
        timeline.Observe(s_start.AddSeconds(2), 300);

        // Nothing beyond 200 is applied: at second 1 everything was, so nothing unapplied is older than that.
        timeline.LagSeconds(s_start.AddSeconds(10), applied: 200).ShouldBe(9);

        // Held back: the same applied position keeps getting older, whatever the WAL does meanwhile.
        timeline.Observe(s_start.AddSeconds(20), 900);
        timeline.LagSeconds(s_start.AddSeconds(20), applied: 200).ShouldBe(19);
        timeline.LagSeconds(s_start.AddSeconds(20), applied: 299).ShouldBe(19);
        timeline.LagSeconds(s_start.AddSeconds(20), applied: 300).ShouldBe(18);
    }

    [Fact]
    public void An_idle_wal_keeps_the_latest_time_it_was_seen_at_a_position()
    {
        var timeline = new WalTimeline();
        timeline.Observe(s_start, 100);
        timeline.Observe(s_start.AddSeconds(30), 100);
        timeline.Observe(s_start.AddSeconds(31), 200);

        // Position 100 was still the end at second 30: an idle source does not make the next change look old.
        timeline.LagSeconds(s_start.AddSeconds(32), applied: 100).ShouldBe(2);
    }

    [Fact]
    public void Without_a_sample_that_old_the_lag_counts_from_the_first_sample_or_from_a_seeded_mark()
    {
        var timeline = new WalTimeline();
        timeline.Observe(s_start.AddSeconds(100), 500);
        timeline.LagSeconds(s_start.AddSeconds(105), applied: 200).ShouldBe(5, "a lower bound: at second 100 something unapplied already existed");

        var restarted = new WalTimeline();
        restarted.Seed(s_start.AddSeconds(40), 200);
        restarted.Observe(s_start.AddSeconds(100), 500);
        restarted.LagSeconds(s_start.AddSeconds(105), applied: 200).ShouldBe(65);
        restarted.Anchor(200).ShouldBe((s_start.AddSeconds(40), 200UL));

        // No sample at or below the applied position: the mark is the oldest sample, which the lag counts from.
        timeline.Anchor(200).ShouldBe((s_start.AddSeconds(100), 500UL));
        new WalTimeline().Anchor(200).ShouldBeNull();

        // The mark could not be read at the first sample (the control database did not answer): seeded a tick later.
        var late = new WalTimeline();
        late.Observe(s_start.AddSeconds(100), 500);
        late.LagSeconds(s_start.AddSeconds(100), applied: 200).ShouldBe(0, "from its own first sample only");
        late.Seed(s_start.AddSeconds(40), 200);
        late.Observe(s_start.AddSeconds(101), 500);
        late.LagSeconds(s_start.AddSeconds(105), applied: 200).ShouldBe(65);
    }

    [Fact]
    public void Samples_the_applied_position_passed_are_forgotten_and_a_long_backlog_stays_bounded()
    {
        var timeline = new WalTimeline();
        for (var second = 0; second < WalTimeline.MaxSamples + 500; second++)
        {
            timeline.Observe(s_start.AddSeconds(second), 100 + (ulong)second);
        }

        // Thinning keeps the oldest sample, so a pipeline stuck since the start still counts from there.
        timeline.LagSeconds(s_start.AddSeconds(WalTimeline.MaxSamples + 500), applied: 100).ShouldBe(WalTimeline.MaxSamples + 500);
        timeline.LagSeconds(s_start.AddSeconds(WalTimeline.MaxSamples + 500), applied: 100 + WalTimeline.MaxSamples + 499).ShouldBe(0);
        timeline.Anchor(100).ShouldBe((s_start.AddSeconds(WalTimeline.MaxSamples + 499), 100UL + WalTimeline.MaxSamples + 499), "caught up: only the latest sample is kept");
    }
}
