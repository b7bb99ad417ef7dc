using SentinelSync.Configuration;
using SentinelSync.Runtime;

namespace SentinelSync.Admin;

/// <summary>
/// The rows of <c>GET /api/cluster</c>: every silo of the membership table, with its activations by grain type
/// asked of the silo itself over the silo-to-silo endpoint (all at once, each within <see cref="AskTimeout"/>).
/// A silo that is not active is not asked; one that does not answer in time gets no counts and the reason.
/// </summary>
internal static class ClusterReports
{
    /// <summary>Short: a silo that is alive answers at once, and the dashboard polls every second.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    public static async Task<SiloReport> SiloAsync(Silo self, MembershipEntry entry, Redactor redactor, CancellationToken cancellationToken)
    {
        var isSelf = entry.Name == self.Name;
        var (grains, error) = (isSelf, entry.Status) switch
        {
            (true, _) => (self.ActivationsByType, null),
            (false, SiloStatus.Active) => await AskAsync(self, entry, cancellationToken),
            _ => (null, $"not asked: the silo is {entry.Status}"),
        };
        return new SiloReport(entry.Name, entry.Address, entry.Status.ToString(), entry.StartedAt, entry.LastHeartbeat, entry.Suspicions.Count, isSelf, grains, redactor.Redact(error));
    }

    private static async Task<(IReadOnlyDictionary<string, int>? Grains, string? Error)> AskAsync(Silo self, MembershipEntry entry, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AskTimeout);
        try
        {
            return (await self.GetActivationsByTypeAsync(entry.Address, timeout.Token), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer from {entry.Address} within {AskTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong with that silo is its row's error, never this request's failure.
            return (null, $"{entry.Address} did not answer: {e.Message}");
        }
    }
}
