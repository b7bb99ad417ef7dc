using System.Globalization;

namespace SentinelSync.Runtime;

/// <summary>
/// A membership table in process memory, for tests and for silos without a control database. It keeps the
/// atomicity contract of <see cref="IMembershipTable"/> exactly (one lock around every operation), stores
/// timestamps with the same microsecond precision as Postgres, and numbers ETags the same way (1, 2, …).
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, (MembershipEntry Entry, long Etag)> _rows = new(StringComparer.Ordinal);
    private long _version;

    /// <inheritdoc />
    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var rows = _rows.Values.Select(r => (r.Entry, Format(r.Etag))).ToList();
            return Task.FromResult(new MembershipSnapshot(rows, _version));
        }
    }

    /// <inheritdoc />
    public Task<bool> InsertRowAsync(MembershipEntry entry, long tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (tableVersion != _version || _rows.ContainsKey(entry.Name))
            {
                return Task.FromResult(false);
            }

            _rows[entry.Name] = (MembershipTimestamps.Normalize(entry), 1);
            _version++;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, long tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (tableVersion != _version
                || !_rows.TryGetValue(entry.Name, out var row)
                || !long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected)
                || row.Etag != expected)
            {
                return Task.FromResult(false);
            }

            _rows[entry.Name] = (MembershipTimestamps.Normalize(entry), row.Etag + 1);
            _version++;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task UpdateIAmAliveAsync(string siloName, DateTimeOffset heartbeat, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Like the Postgres UPDATE: no row, nothing written, no error.
            if (_rows.TryGetValue(siloName, out var row))
            {
                _rows[siloName] = (row.Entry with { LastHeartbeat = MembershipTimestamps.Normalize(heartbeat) }, row.Etag);
            }
        }

        return Task.CompletedTask;
    }

    private static string Format(long etag) => etag.ToString(CultureInfo.InvariantCulture);
}
