namespace SentinelSync.Admin;

/// <summary>
/// One row of the membership table in <c>GET /api/cluster</c>. <see cref="Grains"/> are the silo's running
/// activations by grain type as the silo itself reported them; null when it was not asked (not active) or did
/// not answer, and then <see cref="Error"/> says why.
/// </summary>
internal sealed record SiloReport(
    string Name,
    string Address,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    int Suspicions,
    bool Self,
    IReadOnlyDictionary<string, int>? Grains,
    string? Error);
