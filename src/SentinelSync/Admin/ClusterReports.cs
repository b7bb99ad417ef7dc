using Orleans.Runtime;
using SentinelSync.Configuration;

namespace SentinelSync.Admin;

/// <summary>
/// The cluster as Orleans knows it, for <c>GET /api/cluster</c> and <c>GET /api/grains</c>: the membership table
/// (through Orleans' management grain; the latest incarnation of each silo name) and each active silo's
/// activations, asked of that silo itself (all at once, each within <see cref="AskTimeout"/>). A silo that is
/// not active is not asked; one that does not answer in time gets no grains and the reason.
/// </summary>
internal static class ClusterReports
{
    /// <summary>Short: a silo that is alive answers at once, and the dashboard polls every second.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    public static async Task<ClusterReport> ReportAsync(IGrainFactory grains, ILocalSiloDetails self, Redactor redactor, CancellationToken cancellationToken)
    {
        var silos = await SilosAsync(grains, self, cancellationToken);
        var reports = silos.Select(s => new SiloReport(
            s.Entry.SiloName,
            s.Entry.SiloAddress.ToParsableString(),
            s.Entry.Status.ToString(),
            new DateTimeOffset(DateTime.SpecifyKind(s.Entry.StartTime, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(s.Entry.IAmAliveTime, DateTimeKind.Utc)),
            s.Entry.SuspectTimes?.Count ?? 0,
            s.Self,
            s.Grains?.GroupBy(g => g.Type.ToString()!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            redactor.Redact(s.Error))).ToList();
        return new ClusterReport(
            self.Name,
            [.. silos.Where(s => s.Entry.Status == SiloStatus.Active).Select(s => s.Entry.SiloName)],
            silos.FirstOrDefault(s => s.Self)?.Grains?.Count ?? 0,
            reports);
    }

    /// <summary>Every silo name's latest membership entry, with its grains (or why there are none).</summary>
    public static async Task<IReadOnlyList<SiloGrains>> SilosAsync(IGrainFactory grains, ILocalSiloDetails self, CancellationToken cancellationToken)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false).WaitAsync(AskTimeout, cancellationToken);
        var latest = hosts.GroupBy(h => h.SiloName).Select(g => g.MaxBy(h => h.StartTime)!).OrderBy(h => h.SiloName, StringComparer.Ordinal);
        return await Task.WhenAll(latest.Select(entry => AskAsync(management, entry, entry.SiloAddress.Equals(self.SiloAddress), cancellationToken)));
    }

    private static async Task<SiloGrains> AskAsync(IManagementGrain management, MembershipEntry entry, bool self, CancellationToken cancellationToken)
    {
        if (entry.Status != SiloStatus.Active)
        {
            return new SiloGrains(entry, self, null, $"not asked: the silo is {entry.Status}");
        }

        try
        {
            var statistics = await management.GetDetailedGrainStatistics(null, [entry.SiloAddress]).WaitAsync(AskTimeout, cancellationToken);
            // System targets (sys.svc.*) are Orleans' own per-silo services, not activations.
            return new SiloGrains(entry, self, [.. statistics.Select(s => s.GrainId).Where(g => !g.Type.ToString()!.StartsWith("sys.", StringComparison.Ordinal)).Order()], null);
        }
        catch (TimeoutException)
        {
            return new SiloGrains(entry, self, null, $"no answer from {entry.SiloAddress.ToParsableString()} within {AskTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong with that silo is its row's error, never this request's failure.
            return new SiloGrains(entry, self, null, $"{entry.SiloAddress.ToParsableString()} did not answer: {e.Message}");
        }
    }

    /// <summary>One silo of the cluster: its membership entry and its activations (null with <see cref="Error"/> when unknown).</summary>
    public sealed record SiloGrains(MembershipEntry Entry, bool Self, IReadOnlyList<GrainId>? Grains, string? Error);
}
