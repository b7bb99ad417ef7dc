namespace SentinelSync.Admin;

/// <summary>The body of <c>GET /api/cluster</c>: the membership table as the control database holds it, and this silo's view.</summary>
internal sealed record ClusterReport(string Silo, IReadOnlyList<string> ActiveView, int Activations, IReadOnlyList<SiloReport> Silos);
