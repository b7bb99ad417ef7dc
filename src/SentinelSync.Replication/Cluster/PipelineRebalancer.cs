using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Moves pipelines and Kafka partitions to silos that join: Orleans never moves a live activation by itself, so
/// this silo asks each local <see cref="IMovableGrain"/> whose rendezvous owner is another active silo to move
/// (<see cref="IMovableGrain.MoveAsync"/>): it drains (its sinks apply what they hold, the slot or offset is
/// confirmed), releases its lease, and Orleans migrates it to its owner, whose activation takes the lease. A silo
/// that leaves moves nothing here: its grains are placed anew on the survivors by the next call.
/// </summary>
/// <remarks>
/// Ownership is checked on every membership change, when a grain starts on this silo, and every
/// <see cref="RecheckEvery"/>. Membership changes alone are not enough: a grain can start here after the change
/// that made another silo its owner (a placement decided on an older view, or a call that reached this silo
/// through a stale directory cache entry: Orleans then activates the grain wherever the call arrives, with no
/// placement at all). A grain that is here again after a move waits before the next one, 30 s doubling to
/// <see cref="MaxBackoff"/>, so that it runs (and a Kafka partition makes progress) rather than bouncing.
/// </remarks>
public sealed partial class PipelineRebalancer(
    IClusterMembershipService membership,
    ILocalSiloDetails self,
    LocalSources sources,
    IGrainFactory grains,
    ILogger<PipelineRebalancer> logger)
{
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait before moving again a grain that came back after a move.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Grains this silo moved away, when, and how many times in a row they came back.</summary>
    private readonly Dictionary<GrainId, (DateTime MovedAt, int Moves)> _moved = [];

    /// <summary>How long a grain that came back after <paramref name="moves"/> moves in a row stays before the next: 30 s doubling to <see cref="MaxBackoff"/>.</summary>
    internal static TimeSpan WaitBeforeMovingAgain(int moves) =>
        TimeSpan.FromTicks(Math.Min(s_firstBackoff.Ticks << Math.Clamp(moves - 1, 0, 10), MaxBackoff.Ticks));

    public async Task RunAsync(CancellationToken stop)
    {
        var checks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Recheck(GrainId grain)
        {
            LogActivated(logger, grain);
            checks.Writer.TryWrite(true);
        }

        sources.Activated += Recheck;
        using var timer = new Timer(_ => checks.Writer.TryWrite(true), null, RecheckEvery, RecheckEvery);
        var watching = WatchMembershipAsync(checks.Writer, stop);
        try
        {
            while (await checks.Reader.WaitToReadAsync(stop))
            {
                checks.Reader.TryRead(out _);
                await MoveMisplacedAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            sources.Activated -= Recheck;
            await watching;
        }
    }

    private async Task WatchMembershipAsync(ChannelWriter<bool> checks, CancellationToken stop)
    {
        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(stop))
            {
                checks.TryWrite(true);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task MoveMisplacedAsync(CancellationToken stop)
    {
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.Name).ToList();
        if (!active.Contains(self.Name))
        {
            return;
        }

        var now = DateTime.UtcNow;
        foreach (var grain in _moved.Where(m => now - m.Value.MovedAt > MaxBackoff * 2).Select(m => m.Key).ToList())
        {
            _moved.Remove(grain);
        }

        foreach (var grain in sources.Grains)
        {
            var owner = RendezvousPlacement.Owner(grain.Type.ToString()!, grain.Key.ToString()!, active);
            if (owner is null || owner == self.Name)
            {
                continue;
            }

            var moves = 0;
            if (_moved.TryGetValue(grain, out var last))
            {
                if (now - last.MovedAt < WaitBeforeMovingAgain(last.Moves))
                {
                    continue;
                }

                LogPlacedHereAgain(logger, grain, owner, last.Moves);
                moves = last.Moves;
            }

            _moved[grain] = (now, moves + 1);
            LogMoving(logger, grain, owner);
            try
            {
                await grains.GetGrain<IMovableGrain>(grain).MoveAsync(owner);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // It stays here until the next check; it keeps running meanwhile.
                LogMoveFailed(logger, grain, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Grain} belongs to silo {Silo}: draining it here so that it moves there")]
    private static partial void LogMoving(ILogger logger, GrainId grain, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} is active here again after {Moves} move(s) to silo {Silo}; moving it again, later each time")]
    private static partial void LogPlacedHereAgain(ILogger logger, GrainId grain, string silo, int moves);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Grain} is active here")]
    private static partial void LogActivated(ILogger logger, GrainId grain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not be moved; it keeps running here")]
    private static partial void LogMoveFailed(ILogger logger, GrainId grain, Exception error);
}
