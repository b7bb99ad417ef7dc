using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace SentinelSync.Replication.Postgres;

/// <summary>
/// Streams committed changes from a pgoutput slot (protocol 2, text values, streaming of large in-progress
/// transactions on) as <see cref="ChangeBatch"/>es, decoded by <see cref="PgOutputDecoder"/>.
/// <para>
/// Acknowledgement: Postgres keeps WAL from the slot's confirmed position on. Call <see cref="Confirm"/> with
/// the commit LSN that every destination has applied; the stream never confirms on its own. Npgsql answers
/// the server's keepalives and sends the confirmed position every
/// <see cref="PostgresChangeStreamSettings.StatusInterval"/>; <see cref="SendStatusUpdateAsync"/> sends it now.
/// When everything handed out has been confirmed (no transaction pending), the position is advanced further
/// to the WAL end the server last reported (keepalives included), so a slot on an idle source, or one where
/// only unpublished tables change, still advances and releases WAL. The confirmed transaction itself may be
/// sent again after a restart (its commit LSN is confirmed, not its end); positions make that harmless.
/// </para>
/// The batches must be read by one consumer; <see cref="Confirm"/> and <see cref="SendStatusUpdateAsync"/> may
/// be called from another thread meanwhile.
/// </summary>
public sealed partial class PostgresChangeStream : IAsyncDisposable
{
    private readonly LogicalReplicationConnection _connection;
    private readonly PgOutputDecoder _decoder;
    private readonly string _slot;
    private readonly string _publication;
    private readonly ILogger _logger;
    private readonly Lock _confirmLock = new();
    private ulong _applied;
    private ulong _confirmed;
    private long _completed;
    private int _reading;

    private PostgresChangeStream(LogicalReplicationConnection connection, PgOutputDecoder decoder, string slot, string publication, ILogger logger)
    {
        _connection = connection;
        _decoder = decoder;
        _slot = slot;
        _publication = publication;
        _logger = logger;
    }

    /// <summary>The source server's version.</summary>
    public Version ServerVersion => _connection.PostgreSqlVersion;

    /// <summary>The decoder, for its schemas and counters.</summary>
    public PgOutputDecoder Decoder => _decoder;

    /// <summary>The position last handed to Npgsql as flushed and applied.</summary>
    public ulong ConfirmedLsn
    {
        get
        {
            lock (_confirmLock)
            {
                return _confirmed;
            }
        }
    }

    /// <summary>
    /// The commit LSN of the last transaction whose batches have all been handed to the reader (set when the
    /// reader asks for the next batch after the transaction's last one). Everything at or below it has been
    /// received; what was received and applied may be confirmed up to it.
    /// </summary>
    public ulong CompletedLsn => (ulong)Volatile.Read(ref _completed);

    /// <summary>
    /// How long before Postgres sent its commit the latest transaction read had committed, both by the source
    /// server's clock: near zero while the stream keeps up with the source, the age of the backlog while it catches up.
    /// Set before the transaction's batches are handed out.
    /// </summary>
    public TimeSpan CommitAge { get; private set; }

    /// <summary>Opens a replication connection for <paramref name="slot"/>; <see cref="ReadAsync"/> starts streaming.</summary>
    public static async Task<PostgresChangeStream> OpenAsync(
        string connectionString,
        string slot,
        string publication,
        PostgresChangeStreamSettings? settings = null,
        IEnumerable<TableSchema>? knownSchemas = null,
        ILogger<PostgresChangeStream>? logger = null,
        CancellationToken cancellationToken = default)
    {
        settings ??= new PostgresChangeStreamSettings();
        var connection = new LogicalReplicationConnection(connectionString) { WalReceiverStatusInterval = settings.StatusInterval };
        try
        {
            await connection.Open(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new PostgresChangeStream(connection, new PgOutputDecoder(connectionString, settings, knownSchemas), slot, publication, logger ?? (ILogger)NullLogger.Instance);
    }

    /// <summary>
    /// Streams from the slot's confirmed position (or <paramref name="startLsn"/> when given) until cancelled.
    /// Can be called once per stream. Throws <see cref="PostgresReplicaIdentityException"/> for an update or
    /// delete of a table without identity, <see cref="Npgsql.PostgresException"/> for server errors (a missing
    /// slot or publication, for instance).
    /// <para>
    /// With <paramref name="onMessage"/>, transactional logical decoding messages (Postgres 14+) are passed to
    /// it in stream order: the next batch is read only once it returns, so it may push batches of its own
    /// that must land exactly there. Messages inside streamed in-progress transactions are not delivered.
    /// </para>
    /// </summary>
    public async IAsyncEnumerable<ChangeBatch> ReadAsync(
        ulong? startLsn = null,
        Func<LogicalMessage, CancellationToken, ValueTask>? onMessage = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("The change stream is already being read; open another one.");
        }

        var options = new PgOutputReplicationOptions(_publication, PgOutputProtocolVersion.V2, binary: false, streamingMode: PgOutputStreamingMode.On, messages: onMessage is null ? null : true);
        var start = startLsn is { } lsn ? new NpgsqlLogSequenceNumber(lsn) : (NpgsqlLogSequenceNumber?)null;
        LogStarting(_slot, startLsn ?? 0);
        await foreach (var message in _connection.StartReplication(new PgOutputReplicationSlot(_slot), options, cancellationToken, start))
        {
            if (message switch { CommitMessage c => c.TransactionCommitTimestamp, StreamCommitMessage c => c.TransactionCommitTimestamp, _ => (DateTime?)null } is { } committed)
            {
                // Both clocks are the source server's: no skew between it and the silo counts.
                CommitAge = message.ServerClock - committed;
            }

            if (await _decoder.HandleAsync(message, cancellationToken) is { } batches)
            {
                foreach (var batch in batches)
                {
                    yield return batch;
                }
            }
            else if (onMessage is not null && message is LogicalDecodingMessage { TransactionXid: null } logical && (logical.Flags & 1) != 0)
            {
                using var content = new StreamReader(logical.Data, Encoding.UTF8);
                await onMessage(new LogicalMessage(logical.Prefix, await content.ReadToEndAsync(cancellationToken), _decoder.TransactionCommitLsn), cancellationToken);
            }

            var commitLsn = message switch
            {
                CommitMessage commit => (ulong)commit.CommitLsn,
                StreamCommitMessage commit => (ulong)commit.CommitLsn,
                _ => 0UL,
            };
            if (commitLsn > CompletedLsn)
            {
                Volatile.Write(ref _completed, (long)commitLsn);
            }
        }
    }

    /// <summary>
    /// Records that every change at or below commit LSN <paramref name="appliedLsn"/> is durably applied by all
    /// destinations, and hands the resulting flush position to Npgsql (sent with the next status update).
    /// Never moves the confirmed position backwards.
    /// </summary>
    public void Confirm(ulong appliedLsn)
    {
        lock (_confirmLock)
        {
            _applied = Math.Max(_applied, appliedLsn);
            Advance();
        }
    }

    /// <summary>Recomputes the flush position (picking up the latest keepalive) and sends it to the server now.</summary>
    public async Task SendStatusUpdateAsync(CancellationToken cancellationToken = default)
    {
        lock (_confirmLock)
        {
            Advance();
        }

        await _connection.SendStatusUpdate(cancellationToken);
    }

    /// <summary>Closes the replication connection and deletes pending spill files. The slot stays.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _decoder.DisposeAsync();
    }

    private void Advance()
    {
        // Read the received WAL end before the decoder's high-water mark: Npgsql updates the former before
        // handing us the message that may raise the latter, so in this order a transaction whose commit lies
        // below the received end is always visible in the mark and blocks the shortcut until it is applied.
        var received = (ulong)_connection.LastReceivedLsn;
        var flush = _applied;
        if (_applied >= _decoder.HighestSeenCommitLsn && received > flush)
        {
            flush = received;
        }

        if (flush > _confirmed)
        {
            _confirmed = flush;
            _connection.SetReplicationStatus(new NpgsqlLogSequenceNumber(flush));
            LogConfirmed(_slot, new NpgsqlLogSequenceNumber(flush).ToString());
        }
    }
}
