using Npgsql;
using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Grain ownership leases with fencing epochs (<c>sentinel.grain_lease</c>, one row per grain, never deleted).
/// Orleans guarantees one activation per grain only eventually (its directory converges after a partition or
/// a slow failure detection), so every grain that writes somewhere durable takes a lease when it activates and
/// conditions its writes on the lease's epoch.
/// </summary>
/// <remarks>
/// <see cref="AcquireAsync"/> atomically makes this silo the holder and raises the epoch: to the control database's
/// clock in milliseconds, or by one when that is not higher. Epochs are not counted from 1 because they outlive this
/// table: destinations keep the epoch of the last writer with their offsets and refuse lower ones. A control database
/// recreated, or restored from a backup, would otherwise hand out epochs below those, and every new activation would be
/// fenced by the destinations while a silo that kept running with the old epochs (a zombie) was not. It takes the lease
/// when it was released, when this silo (an earlier incarnation of it) holds it, or when the holder is not a
/// live member of the cluster as this silo's Orleans membership sees it; while another live silo still holds it
/// (it drains the grain after a rebalance) it waits, up to <see cref="WaitTimeout"/>. <see cref="ReleaseAsync"/>
/// frees the lease if it still carries the epoch; it never lowers the epoch.
/// </remarks>
public sealed class GrainLeases(NpgsqlDataSource controlDb, ILocalSiloDetails silo, IClusterMembershipService membership, TimeProvider time)
{
    private const string AcquireSql = """
        INSERT INTO sentinel.grain_lease AS l (grain_type, grain_key, silo, epoch)
        VALUES (@type, @key, @silo, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)
        ON CONFLICT (grain_type, grain_key) DO UPDATE
            SET silo = excluded.silo, epoch = greatest(l.epoch + 1, excluded.epoch), released = false, acquired_at = now()
            WHERE l.released OR l.silo = excluded.silo OR l.silo <> ALL (@live)
        RETURNING epoch
        """;

    private const string ReleaseSql = """
        UPDATE sentinel.grain_lease SET released = true
        WHERE grain_type = @type AND grain_key = @key AND epoch = @epoch
        """;

    /// <summary>How long an activation waits for another live silo to release the lease before it fails.</summary>
    public static TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Takes the lease of <paramref name="grainId"/> for this silo and returns its new epoch.</summary>
    /// <exception cref="TimeoutException">Another live silo kept the lease for <see cref="WaitTimeout"/>.</exception>
    public async Task<long> AcquireAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (await TryAcquireAsync(grainId, cancellationToken).ConfigureAwait(false) is { } epoch)
            {
                return epoch;
            }

            if (time.GetElapsedTime(started) > WaitTimeout)
            {
                throw new TimeoutException($"Grain {grainId}: another live silo held its lease for {WaitTimeout.TotalSeconds:0} s; activation on {silo.Name} gives up.");
            }

            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    public async Task ReleaseAsync(GrainId grainId, long epoch)
    {
        await using var command = controlDb.CreateCommand(ReleaseSql);
        command.Parameters.AddWithValue("type", grainId.Type.ToString()!);
        command.Parameters.AddWithValue("key", grainId.Key.ToString()!);
        command.Parameters.AddWithValue("epoch", epoch);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<long?> TryAcquireAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        // Silos Orleans does not consider dead (joining, active, shutting down): their leases are theirs until released.
        var live = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is not SiloStatus.Dead and not SiloStatus.None)
            .Select(m => m.Name)
            .ToArray();
        await using var command = controlDb.CreateCommand(AcquireSql);
        command.Parameters.AddWithValue("type", grainId.Type.ToString()!);
        command.Parameters.AddWithValue("key", grainId.Key.ToString()!);
        command.Parameters.AddWithValue("silo", silo.Name);
        command.Parameters.AddWithValue("live", live);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }
}
