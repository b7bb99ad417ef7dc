namespace SentinelSync.Benchmarks.Replication;

/// <summary>One replication tool under test, driven the same way for native logical replication and SentinelSync.</summary>
internal interface IReplicator : IAsyncDisposable
{
    /// <summary>Short name used in the results: <c>native</c> or <c>sentinelsync</c>.</summary>
    string Name { get; }

    /// <summary>The pid of the tool's own process (SentinelSync), when it has one.</summary>
    int? ProcessId { get; }

    /// <summary>Everything before the clock starts: native, the destination schema and the publication; SentinelSync, the control database and the configuration file.</summary>
    Task PrepareAsync();

    /// <summary>Starts replicating: the initial copy of the existing rows, then streaming. Returns once started, not synced.</summary>
    Task StartAsync();

    /// <summary>Stops applying while the source keeps the changes in the slot (native: DISABLE; SentinelSync: <c>sentinel pause</c>).</summary>
    Task PauseAsync();

    /// <summary>Starts applying again from the slot.</summary>
    Task ResumeAsync();

    /// <summary>Stops replicating cleanly; the peak RSS (MiB) and CPU seconds of the tool's process, when it has one.</summary>
    Task<(double? PeakRssMiB, double? CpuSeconds)> StopAsync();
}
