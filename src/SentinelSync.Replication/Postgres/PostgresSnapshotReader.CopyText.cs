using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Npgsql;

namespace SentinelSync.Replication.Postgres;

public sealed partial class PostgresSnapshotReader
{
    /// <summary>Bytes of COPY text per chunk, about: a destination transaction's worth.</summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>Chunks read ahead of the consumer per range: the reader's thread keeps the socket drained meanwhile.</summary>
    private const int ChunksReadAhead = 2;

    /// <summary>
    /// Streams the rows of one range of <paramref name="plan"/> as of <paramref name="snapshotName"/> in COPY text
    /// form, unparsed and undecoded: chunks of whole lines (about <see cref="ChunkBytes"/> UTF-8 bytes each) with
    /// their row count. Leaving the enumeration early or cancelling cancels the COPY on the server.
    /// </summary>
    public async IAsyncEnumerable<(byte[] Utf8, int Rows)> ReadCopyTextAsync(
        SnapshotTablePlan plan,
        BlockRange range,
        string snapshotName,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await using var connection = await OpenSnapshotAsync(snapshotName, cancellationToken, _copyConnectionString);
        var columns = string.Join(", ", plan.Schema.Columns.Select(c => PostgresIdentifier.Quote(c.Name)));
        var from = (plan.IsPartitioned ? "" : "ONLY ") + PostgresIdentifier.Quote(plan.Table);
        var where = plan.Ranges.Count == 1 ? ""
            : string.Create(CultureInfo.InvariantCulture, $" WHERE ctid >= '({range.FromBlock},0)'::tid") + (range.ToBlock is { } to ? string.Create(CultureInfo.InvariantCulture, $" AND ctid < '({to},0)'::tid") : "");
        using (var reader = await connection.BeginTextExportAsync($"COPY (SELECT {columns} FROM {from}{where}) TO STDOUT", cancellationToken))
        {
            // The reader's own stream gives the bytes as the server sent them (UTF-8, Npgsql's client encoding):
            // a Postgres sink sends them on as they are, so decoding them into characters would be wasted.
            var bytes = (reader as StreamReader ?? throw new InvalidOperationException($"Npgsql's text export is a {reader.GetType()}, not a StreamReader.")).BaseStream as NpgsqlRawCopyStream
                ?? throw new InvalidOperationException("Npgsql's text export does not read from a raw COPY stream.");

            // Postgres sends a COPY message per row and a read returns at most one, so an async read per row (a
            // state machine, a ValueTask, a cancellation scope each) was most of the silo's cost per row. The range
            // is read with blocking reads on a thread of its own instead, and handed over a chunk at a time.
            // Stopping (cancelled, or the consumer left early) asks the server to cancel the COPY, which ends the
            // blocked read; the thread is waited for before the connection is closed.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var chunks = Channel.CreateBounded<(byte[] Utf8, int Rows)>(new BoundedChannelOptions(ChunksReadAhead) { SingleReader = true, SingleWriter = true });
            var reading = Task.Factory.StartNew(() => ReadChunks(bytes, chunks.Writer, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                using (stop.Token.UnsafeRegister(static stream => CancelQuietly((NpgsqlRawCopyStream)stream!), bytes))
                {
                    try
                    {
                        await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken))
                        {
                            yield return chunk;
                        }
                    }
                    finally
                    {
                        if (!reading.IsCompleted)
                        {
                            // Left early (cancelled, or the consumer failed or stopped): the thread must end first.
                            stop.Cancel();
                        }

                        await reading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }

                // Every chunk was taken: the thread's failure, if any, is the copy's.
                await reading;
            }
            finally
            {
                chunks.Writer.TryComplete();
            }
        }

        await ExecuteAsync(connection, "COMMIT", cancellationToken);

        void ReadChunks(NpgsqlRawCopyStream stream, ChannelWriter<(byte[] Utf8, int Rows)> writer, CancellationToken stopping)
        {
            try
            {
                ReadCopyChunks(stream, chunk => writer.WriteAsync(chunk, stopping).AsTask().GetAwaiter().GetResult());
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && stopping.IsCancellationRequested)
            {
                throw new OperationCanceledException("The snapshot copy was cancelled.", e, cancellationToken);
            }
            finally
            {
                writer.TryComplete();
            }
        }

        static void CancelQuietly(NpgsqlRawCopyStream stream)
        {
            try
            {
                stream.Cancel();
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or NpgsqlException or System.Net.Sockets.SocketException)
            {
                // The COPY ended or the connection broke meanwhile: nothing left to cancel.
            }
        }
    }

    /// <summary>
    /// Reads COPY text from <paramref name="stream"/> to its end with blocking reads, handing each chunk of whole
    /// lines (about <see cref="ChunkBytes"/>, more for a longer row; the rest at the end) with its line count to
    /// <paramref name="chunk"/>. Chunks are cut after a <c>\n</c> byte, which never occurs inside a multi-byte UTF-8
    /// sequence, so each holds whole characters.
    /// </summary>
    internal static void ReadCopyChunks(Stream stream, Action<(byte[] Utf8, int Rows)> chunk)
    {
        var buffer = new byte[ChunkBytes];
        var filled = 0;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            if (read > 0 && filled < buffer.Length)
            {
                continue;
            }

            if (read == 0)
            {
                break;
            }

            var end = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (end == 0)
            {
                // One row longer than the buffer: make room for it.
                Array.Resize(ref buffer, buffer.Length * 2);
                continue;
            }

            chunk(Chunk(buffer, end));
            buffer.AsSpan(end, filled - end).CopyTo(buffer);
            filled -= end;
        }

        if (filled > 0)
        {
            chunk(Chunk(buffer, filled));
        }

        static (byte[], int) Chunk(byte[] buffer, int length) =>
            (buffer.AsSpan(0, length).ToArray(), buffer.AsSpan(0, length).Count((byte)'\n'));
    }
}
