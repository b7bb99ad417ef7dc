using Microsoft.Extensions.Logging;

namespace SentinelSync.Replication.Pipelines;

/// <summary>
/// Group commit for the sink grains of one pipeline and destination on this silo: batches that several tables have
/// ready at the same time are applied in one destination transaction (<see cref="IMultiStreamSink"/>), each table's
/// offset row written in it and fenced by that table's own sink activation's epoch. One commit per round instead of
/// one per table is what a source transaction touching several tables costs natively; a crash or a failure can
/// never commit one table's rows without the others' of the round, nor any rows without their offsets.
/// </summary>
/// <remarks>
/// No batch waits for company: the first one to arrive is applied at once, and so is a small one (a heartbeat, an OLTP
/// table's few changes) arriving while fewer than <see cref="MaxRoundsInFlight"/> rounds are in flight and nothing
/// larger waits; the others wait for a round to end and then go together, in the next round. So the busier the
/// destination, the more tables share a transaction, an idle pipeline pays no latency, and a small table's change need
/// not wait behind a large round to begin, while large batches (a backlog) still go one round at a time, in few large
/// transactions (a second round for them halved the changes per transaction and raised the destination's CPU per
/// change by 60-80 % in a backlog drain, 2026-12-02). A table has one batch in the group at a time (its sink grain
/// applies one after the other), so rounds in flight never hold the same table's rows or offset row; each locks its
/// offset rows in one order (the sink's), so it cannot deadlock with a table applied on its own, nor with another
/// round or another silo's. A round that fails for any reason (fencing, a row the destination refuses, the destination
/// gone) fails every batch in it: each sink grain then applies its batch alone, with its own retries, narrowing, dead
/// letters and fencing, as if there were no group.
/// </remarks>
internal sealed partial class SinkApplyGroup(IMultiStreamSink sink, string pipeline, string sinkName, ILogger logger)
{
    /// <summary>Changes applied in one round at most (a round always takes at least one batch).</summary>
    internal const int MaxRoundChanges = 40_000;

    /// <summary>Rounds applied at once at most (each on a destination connection of its own).</summary>
    internal const int MaxRoundsInFlight = 2;

    /// <summary>A batch of at most this many changes may begin a round beside one in flight.</summary>
    internal const int SmallBatchChanges = 100;

    private readonly Lock _lock = new();
    private readonly List<Member> _waiting = [];
    private int _inFlight;

    /// <summary>
    /// Applies <paramref name="batch"/> (streamed changes of one table, by the sink activation of
    /// <paramref name="epoch"/>) in one transaction with the other tables' batches waiting. Null once it committed;
    /// the round's error when it failed and nothing of it was written: the caller then applies it alone.
    /// <paramref name="stop"/> cancels the round this caller leads (its other batches then fail too and are applied
    /// alone), and a wait for a round not yet begun (then nothing of the batch is written).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled while the batch waited.</exception>
    public async Task<Exception?> TryApplyAsync(ChangeBatch batch, long epoch, CancellationToken stop)
    {
        var member = new Member(batch, epoch);
        bool lead;
        lock (_lock)
        {
            _waiting.Add(member);
            lead = MayBeginRound();
            if (lead)
            {
                // Marked as leading already, so that a round ending before this one takes its batches does not hand
                // it the lead too (one round counted twice would leak a place for good).
                _inFlight++;
                member.Lead.TrySetResult();
            }
        }

        if (!lead)
        {
            // A round in flight and this batch may not begin another: when one ends, its leader hands the lead to the
            // oldest batch waiting (if a round may begin then), which takes the others along. A caller stopping
            // meanwhile withdraws its batch, unless it was handed the lead: the others wait for it, so it leads (a
            // round without its batch) all the same.
            using (stop.Register(() => Withdraw(member)))
            {
                await Task.WhenAny(member.Done.Task, member.Lead.Task).ConfigureAwait(false);
            }

            if (!member.Lead.Task.IsCompleted)
            {
                return await member.Done.Task.ConfigureAwait(false);
            }
        }

        await LeadRoundAsync(member, stop).ConfigureAwait(false);
        return await member.Done.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the leader's batch (unless another leader's round took it) and the oldest others waiting, then hands the
    /// lead to the oldest batch still waiting that no one leads.
    /// </summary>
    private async Task LeadRoundAsync(Member leader, CancellationToken stop)
    {
        List<Member> round;
        lock (_lock)
        {
            round = TakeRound(leader);
        }

        try
        {
            if (round.Count == 0)
            {
                return;
            }

            await sink.ApplyStreamsAsync(round.ConvertAll(m => m.Batch), round.ConvertAll(m => m.Epoch), sinkName, stop).ConfigureAwait(false);
            round.ForEach(m => m.Done.TrySetResult(null));
        }
        catch (Exception e)
        {
            // Not lost: every sink grain of the round applies its batch alone next, and meets the error there.
            LogRoundFailed(logger, pipeline, sinkName, round.Count, e.Message);
            round.ForEach(m => m.Done.TrySetResult(e));
        }
        finally
        {
            // Handed over under the lock, so that a caller cannot withdraw between being chosen and being told; never to
            // a batch another ending round handed it to already (its round would then be counted twice). Batches that
            // may not begin a round beside the other one in flight are handed the lead when that one ends: with none
            // in flight, a round may always begin.
            lock (_lock)
            {
                _inFlight--;
                if (_waiting.Find(m => !m.Lead.Task.IsCompleted) is { } next && MayBeginRound())
                {
                    _inFlight++;
                    next.Lead.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// Under the lock: whether a round may begin now. Always with none in flight; beside one only while every batch
    /// waiting is small, so that small batches do not keep a large one waiting for a moment with no round in flight.
    /// </summary>
    private bool MayBeginRound() =>
        _inFlight == 0 || (_inFlight < MaxRoundsInFlight && _waiting.TrueForAll(m => m.Batch.Changes.Count <= SmallBatchChanges));

    private void Withdraw(Member member)
    {
        lock (_lock)
        {
            // A caller handed the lead stays: the others wait for the round it leads.
            if (!member.Lead.Task.IsCompleted && _waiting.Remove(member))
            {
                member.Done.TrySetCanceled();
            }
        }
    }

    /// <summary>
    /// Under the lock: the leader's batch first when still waiting (a leader's batch is never left behind for a round no
    /// one would lead), then the oldest waiting, one per offset key, up to <see cref="MaxRoundChanges"/>.
    /// </summary>
    private List<Member> TakeRound(Member leader)
    {
        var round = new List<Member>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var changes = 0;
        foreach (var member in _waiting.Contains(leader) ? _waiting.Where(m => m != leader).Prepend(leader) : _waiting)
        {
            if (round.Count > 0 && changes + member.Batch.Changes.Count > MaxRoundChanges)
            {
                break;
            }

            if (keys.Add(member.Batch.OffsetKey))
            {
                round.Add(member);
                changes += member.Batch.Changes.Count;
            }
        }

        _waiting.RemoveAll(round.Contains);
        return round;
    }

    private sealed class Member(ChangeBatch batch, long epoch)
    {
        public ChangeBatch Batch { get; } = batch;

        public long Epoch { get; } = epoch;

        /// <summary>The round that held this batch ended: null when it committed, else its error.</summary>
        public TaskCompletionSource<Exception?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>This batch's caller leads the next round.</summary>
        public TaskCompletionSource Lead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
