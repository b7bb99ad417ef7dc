namespace SentinelSync.Admin;

/// <summary>
/// One row of the membership table in <c>GET /api/cluster</c>. <see cref="Grains"/> (activations by grain type)
/// is known for the answering silo only; other silos answer for themselves (ask them), so it is null there.
/// </summary>
internal sealed record SiloReport(
    string Name,
    string Address,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    int Suspicions,
    bool Self,
    IReadOnlyDictionary<string, int>? Grains);
