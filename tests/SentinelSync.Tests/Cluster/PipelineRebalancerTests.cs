using SentinelSync.Replication.Cluster;

namespace SentinelSync.Tests.Cluster;

/// <summary>A grain that is placed back on a silo after a move waits longer each time before the next move, so that it runs rather than bouncing.</summary>
public sealed class PipelineRebalancerTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 120)]
    [InlineData(64, 120)]
    public void A_grain_back_after_a_move_waits_30_s_doubling_up_to_two_minutes(int moves, int seconds) =>
        PipelineRebalancer.WaitBeforeMovingAgain(moves).ShouldBe(TimeSpan.FromSeconds(seconds));
}
