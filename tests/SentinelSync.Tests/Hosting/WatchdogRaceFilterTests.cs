using Microsoft.Extensions.Logging;
using SentinelSync.Hosting;

namespace SentinelSync.Tests.Hosting;

public sealed partial class WatchdogRaceFilterTests
{
    // The shape of Orleans' own entry (event 100150, the same placeholder).
    [LoggerMessage(EventId = 100150, Level = LogLevel.Warning, Message = "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.")]
    private static partial void LogParticipantCheckStalled(ILogger logger, TimeSpan timeSinceLastTick);

    [Fact]
    public void A_watchdog_stall_longer_than_the_process_has_run_is_dropped_and_a_possible_one_kept()
    {
        var captured = new CapturingProvider();
        using var provider = new WatchdogRaceFilter(captured);
        var watchdog = provider.CreateLogger(WatchdogRaceFilter.Category);

        LogParticipantCheckStalled(watchdog, TimeSpan.Parse("17:54:29.1867525", System.Globalization.CultureInfo.InvariantCulture));
        LogParticipantCheckStalled(watchdog, TimeSpan.FromMilliseconds(1));

        captured.Entries.ShouldHaveSingleItem().Message.ShouldStartWith("Participant check thread has not completed for 00:00:00.0010000");
    }

    [Fact]
    public void Other_categories_pass_through_whatever_their_values()
    {
        var captured = new CapturingProvider();
        using var provider = new WatchdogRaceFilter(captured);

        LogParticipantCheckStalled(provider.CreateLogger("Orleans.Runtime.Silo"), TimeSpan.FromDays(3));

        captured.Entries.ShouldHaveSingleItem();
    }
}
