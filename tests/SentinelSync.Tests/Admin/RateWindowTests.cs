using SentinelSync.Admin;
using SentinelSync.Replication;

namespace SentinelSync.Tests.Admin;

public sealed class RateWindowTests
{
    private static readonly DateTimeOffset s_start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_rate_is_the_growth_over_the_window_per_second()
    {
        var window = new RateWindow(TimeSpan.FromSeconds(5));

        window.Add(s_start, 1_000).ShouldBe(0);
        window.Add(s_start.AddSeconds(1), 1_500).ShouldBe(500);
        window.Add(s_start.AddSeconds(2), 2_000).ShouldBe(500);

        // Older samples leave the window: only the last five seconds count.
        window.Add(s_start.AddSeconds(10), 2_000).ShouldBe(0);
    }

    [Fact]
    public void A_counter_that_restarts_from_zero_starts_a_new_window()
    {
        var window = new RateWindow(TimeSpan.FromSeconds(5));
        window.Add(s_start, 10_000);

        window.Add(s_start.AddSeconds(1), 100).ShouldBe(0);
        window.Add(s_start.AddSeconds(2), 300).ShouldBe(200);
    }

    [Fact]
    public void Lag_in_seconds_is_the_age_of_the_first_push_beyond_what_was_applied()
    {
        var history = new PushHistory();
        history.Add(s_start, new Position(100, 0));
        history.Add(s_start.AddSeconds(1), new Position(200, 0));
        history.Add(s_start.AddSeconds(2), new Position(200, 0));
        history.Add(s_start.AddSeconds(3), new Position(300, 0));

        history.LagSeconds(s_start.AddSeconds(4), new Position(100, 0)).ShouldBe(3);
        history.LagSeconds(s_start.AddSeconds(4), new Position(200, 0)).ShouldBe(1);
        history.LagSeconds(s_start.AddSeconds(4), new Position(300, 0)).ShouldBe(0);
    }
}
