using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace SentinelSync.Replication.Cluster;

/// <summary>
/// Moves pipelines and Kafka partitions to silos that join: Orleans never moves a live activation, so this silo
/// stops each local <see cref="IMovableGrain"/> whose rendezvous owner is another active silo. It drains (its
/// sinks apply what they hold, the slot or offset is confirmed) and releases its lease; the next call (the
/// pipeline keeper's, the source's partition refresh) places it on its owner, whose activation waits for that
/// lease. A silo that leaves moves nothing here: its grains are placed anew on the survivors by the next call.
/// </summary>
/// <remarks>
/// Ownership is checked on every membership change, when a source starts here, and every
/// <see cref="RecheckEvery"/>. Membership changes alone are not enough: a placement decided on a view that did
/// not yet list a joining silo activates after that silo's membership change has been handled (it waits for
/// the previous owner's lease), and would otherwise stay on the wrong silo until the next change.
/// Orleans may also keep placing a grain here although its owner is active (its placement does not yet count that
/// silo as compatible, e.g. while it exchanges manifests): a grain that comes back after being moved waits before the
/// next try, 30 s doubling to 10 min, so that it runs (and a Kafka partition makes progress) instead of bouncing.
/// </remarks>
public sealed partial class PipelineRebalancer(
    IClusterMembershipService membership,
    ILocalSiloDetails self,
    LocalSources sources,
    IGrainFactory grains,
    ILogger<PipelineRebalancer> logger)
{
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(10);

    /// <summary>Grains this silo moved away, when, and how many times in a row they came back.</summary>
    private readonly Dictionary<GrainId, (DateTime MovedAt, int Moves)> _moved = [];

    public async Task RunAsync(CancellationToken stop)
    {
        var checks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void Recheck(GrainId _) => checks.Writer.TryWrite(true);
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
        foreach (var grain in _moved.Where(m => now - m.Value.MovedAt > s_maxBackoff * 2).Select(m => m.Key).ToList())
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
                var wait = TimeSpan.FromTicks(Math.Min(s_firstBackoff.Ticks << Math.Min(last.Moves - 1, 10), s_maxBackoff.Ticks));
                if (now - last.MovedAt < wait)
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
                await grains.GetGrain<IMovableGrain>(grain).StopAsync();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} was placed here again after {Moves} move(s) to silo {Silo}, which Orleans' placement does not count as compatible yet; moving it again, later each time")]
    private static partial void LogPlacedHereAgain(ILogger logger, GrainId grain, string silo, int moves);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not be moved; it keeps running here")]
    private static partial void LogMoveFailed(ILogger logger, GrainId grain, Exception error);
}
