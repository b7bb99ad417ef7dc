using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka.Source;

/// <summary>
/// Consumes a partition on a thread of its own, one chunk ahead of the partition reader's loop. librdkafka's
/// <c>Consume</c> blocks (up to 100 ms while the partition is idle): called from the reader's async loop it held a
/// thread-pool thread per partition grain, and a silo reading dozens of partitions starved its own grain calls,
/// sinks and HTTP endpoints until the pool had grown past them. Reading ahead also overlaps fetching the next chunk
/// with decoding and pushing this one.
/// </summary>
internal sealed class KafkaChunkFetcher : IDisposable
{
    private readonly Channel<Queue<ConsumeResult<byte[]?, KafkaValue?>>> _chunks =
        Channel.CreateBounded<Queue<ConsumeResult<byte[]?, KafkaValue?>>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <param name="read">Reads one chunk (empty when the partition had nothing within its wait); runs on the fetcher's thread only.</param>
    /// <param name="name">The thread's name.</param>
    public KafkaChunkFetcher(Func<CancellationToken, Queue<ConsumeResult<byte[]?, KafkaValue?>>> read, string name)
    {
        _thread = new Thread(() => Run(read)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The next chunk, in offset order; an empty one after each idle wait, so that the loop keeps its cadence.</summary>
    public async ValueTask<Queue<ConsumeResult<byte[]?, KafkaValue?>>> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _chunks.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException e) when (e.InnerException is { } error)
        {
            // The consumer's own error (a ConsumeException, say), as the reader's loop got it before.
            ExceptionDispatchInfo.Throw(error);
            throw;
        }
    }

    /// <summary>Stops reading and waits for the thread (at most one <c>Consume</c> wait), so that the consumer can be closed.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run(Func<CancellationToken, Queue<ConsumeResult<byte[]?, KafkaValue?>>> read)
    {
        var stop = _stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var chunk = read(stop);
                // Blocks this thread (not the pool's) while the loop still works on the previous chunk.
                _chunks.Writer.WriteAsync(chunk, stop).AsTask().GetAwaiter().GetResult();
            }

            _chunks.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            _chunks.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _chunks.Writer.TryComplete(e);
        }
    }
}
