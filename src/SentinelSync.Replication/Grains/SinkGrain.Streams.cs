using System.Diagnostics;
using SentinelSync.Replication.Diagnostics;
using SentinelSync.Replication.Pipelines;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Replication.Grains;

/// <summary>Batches of several streams (Kafka partitions) of this table, applied in one destination transaction.</summary>
public sealed partial class SinkGrain
{
    /// <summary>
    /// Applies the merged batches of several streams in one transaction (<see cref="IMultiStreamSink"/>). Should
    /// that fail for any reason but fencing, each is applied on its own instead, as if they had never been merged,
    /// with the usual retries, narrowing and dead letters. False when the sink was fenced and stops.
    /// </summary>
    private async Task<bool> ApplyStreamsTakenAsync(List<(ChangeBatch Batch, int Taken)> streams, List<ChangeBatch>? parts, CancellationToken stop)
    {
        if (_transform is not null)
        {
            for (var i = 0; i < streams.Count; i++)
            {
                streams[i] = (await TransformAsync(streams[i].Batch, stop), streams[i].Taken);
            }
        }

        await _applyGate.WaitAsync(stop);
        try
        {
            var batches = streams.ConvertAll(s => s.Batch);
            var count = batches.Sum(b => b.Count);
            var started = Stopwatch.GetTimestamp();
            var spans = SinkBatchSpans.Start(_pipeline, _sinkName, parts, count);
            try
            {
                await ((IMultiStreamSink)_sink).ApplyStreamsAsync(batches, _sinkName, Epoch, stop);
                spans?.Committed();
                SetRetrying(0, null);
                foreach (var (batch, _) in streams)
                {
                    PipelineInstruments.CommittedAtDestination(_pipeline, _sinkName, batch);
                }

                PipelineInstruments.Applied(_pipeline, _sinkName, _table, count, started);
                foreach (var (batch, taken) in streams)
                {
                    Account(batch, taken);
                }

                return true;
            }
            catch (SinkFencedException e)
            {
                spans?.Failed(e, "fenced");
                await StopFencedAsync(e);
                return false;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                spans?.Failed(e, "failed");
                LogStreamsFailed(logger, Key, batches.Count, e.Message);
            }
            finally
            {
                spans?.Dispose();
            }

            foreach (var (batch, taken) in streams)
            {
                if (!await ApplyTakenAsync(batch, taken, null, stop, gateHeld: true))
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            _applyGate.Release();
        }
    }
}
