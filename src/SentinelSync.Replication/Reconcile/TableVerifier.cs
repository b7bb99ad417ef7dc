using System.Collections.Concurrent;

namespace SentinelSync.Replication.Reconcile;

/// <summary>
/// Compares one table at one sink and fills a <see cref="TableReconcileResult"/>.
/// <list type="number">
/// <item>At a first consistent point (<see cref="VerifyRound"/>) both sides compute each chunk's row count and hash
/// sum, in parallel by chunk; a chunk that differs has its rows compared by per-row md5 (one query per side: a
/// chunk of 10,000 rows is the bottom of the bisection), which yields candidate keys.</item>
/// <item>Streaming goes on meanwhile, so a candidate may only be lag (a change the destination applied after the
/// snapshot, or not yet). Each next round takes a new consistent point and compares the candidates again: a key
/// equal on both sides is dropped; a key whose source and destination hashes are both unchanged since the last
/// round, and still differ, is drift. Keys still changing after <see cref="MaxRounds"/> rounds are reported as
/// unsettled, never as drift.</item>
/// </list>
/// Count mode compares counts with the same rule. Memory: one chunk's row hashes per worker plus the candidates.
/// </summary>
internal sealed class TableVerifier(
    TableReconcileResult result,
    ReconcileMode mode,
    Func<CancellationToken, Task<VerifyRound>> beginRound,
    Action<long> rowsChecked)
{
    public const int ChunkRows = 10_000;

    public const int MaxRounds = 5;

    public const int ReportLimit = 100;

    /// <summary>Candidate keys kept in memory at most; beyond, the table is too far off for a key-by-key repair.</summary>
    public const int MaxCandidates = 1_000_000;

    private const int Parallelism = 2;

    private List<Chunk> _chunks = [];

    /// <summary>Every key found drifted (missing, extra or different), for a repair.</summary>
    public List<string[]> DriftKeys { get; } = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (mode == ReconcileMode.Count)
        {
            await CountAsync(cancellationToken);
            return;
        }

        var candidates = await FirstPassAsync(cancellationToken);
        var drift = new List<(KeyDrift Drift, int Chunk)>();
        for (var round = 2; round <= MaxRounds && candidates.Count > 0; round++)
        {
            result.Rounds = round;
            await using var point = await beginRound(cancellationToken);
            var keys = candidates.Values.Select(c => (c.Source ?? c.Destination)!.Key).ToList();
            var sourceRows = point.Source.RowsAsync(keys, cancellationToken);
            var destinationRows = point.Destination.RowsAsync(keys, cancellationToken);
            var (source, destination) = (await sourceRows, await destinationRows);
            foreach (var (id, before) in candidates.ToList())
            {
                var now = (Source: source.GetValueOrDefault(id), Destination: destination.GetValueOrDefault(id));
                if (now.Source?.Hash == now.Destination?.Hash)
                {
                    candidates.Remove(id);
                }
                else if (now.Source?.Hash == before.Source?.Hash && now.Destination?.Hash == before.Destination?.Hash)
                {
                    var kind = now.Source is null ? "extra" : now.Destination is null ? "missing" : "different";
                    drift.Add((new KeyDrift(kind, (now.Source ?? now.Destination)!.Key), before.Chunk));
                    candidates.Remove(id);
                }
                else
                {
                    candidates[id] = (now.Source, now.Destination, before.Chunk, before.Range);
                }
            }
        }

        result.Unsettled = candidates.Count;
        result.Missing = drift.Count(d => d.Drift.Kind == "missing");
        result.Extra = drift.Count(d => d.Drift.Kind == "extra");
        result.Different = drift.Count(d => d.Drift.Kind == "different");
        result.DriftRows = drift.Count;
        DriftKeys.AddRange(drift.Select(d => d.Drift.Key));
        var ranges = drift.Select(d => d.Chunk).Distinct().Order().ToList();
        result.MismatchedChunks = ranges.Count;
        result.MismatchedRanges = [.. ranges.Take(ReportLimit).Select(i => _chunks[i].ToString())];
        if (mode == ReconcileMode.Rows)
        {
            result.Keys = [.. drift.Select(d => d.Drift).Take(ReportLimit)];
        }

        result.Status = drift.Count > 0 ? "drift" : candidates.Count > 0 ? "unsettled" : "ok";
    }

    /// <summary>Chunk digests at one consistent point; the rows of differing chunks give the candidate keys.</summary>
    private async Task<Dictionary<string, (RowDigest? Source, RowDigest? Destination, int Chunk, string Range)>> FirstPassAsync(CancellationToken cancellationToken)
    {
        result.Rounds = 1;
        var candidates = new ConcurrentDictionary<string, (RowDigest? Source, RowDigest? Destination, int Chunk, string Range)>(StringComparer.Ordinal);
        await using var point = await beginRound(cancellationToken);
        _chunks = await point.PlanAsync(ChunkRows, cancellationToken);
        result.Chunks = _chunks.Count;
        long sourceRows = 0, destinationRows = 0;
        var differing = new ConcurrentBag<Chunk>();
        if (_chunks.Count > 0 && _chunks[0].IsBucket)
        {
            var source = point.Source.DigestAsync(_chunks, cancellationToken);
            var destination = point.Destination.DigestAsync(_chunks, cancellationToken);
            var (s, d) = (await source, await destination);
            for (var i = 0; i < _chunks.Count; i++)
            {
                sourceRows += s[i].Rows;
                destinationRows += d[i].Rows;
                if (s[i] != d[i])
                {
                    differing.Add(_chunks[i]);
                }
            }

            rowsChecked(sourceRows);
        }
        else
        {
            await Parallel.ForEachAsync(_chunks, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, token) =>
            {
                var source = point.Source.DigestAsync([chunk], token);
                var destination = point.Destination.DigestAsync([chunk], token);
                var (s, d) = ((await source)[0], (await destination)[0]);
                Interlocked.Add(ref sourceRows, s.Rows);
                Interlocked.Add(ref destinationRows, d.Rows);
                rowsChecked(s.Rows);
                if (s != d)
                {
                    differing.Add(chunk);
                }
            });
        }

        result.SourceRows = sourceRows;
        result.DestinationRows = destinationRows;
        result.RowsChecked = sourceRows;
        await Parallel.ForEachAsync(differing, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, token) =>
        {
            var sourceRows = point.Source.RowsAsync(chunk, token);
            var destinationRows = point.Destination.RowsAsync(chunk, token);
            var (source, destination) = (await sourceRows, await destinationRows);
            if (candidates.Count > MaxCandidates)
            {
                throw new ReconcileException($"More than {MaxCandidates:N0} rows differ from the source (at least {candidates.Count:N0}): resync the table rather than reconcile it key by key.");
            }

            foreach (var (id, row) in source)
            {
                if (destination.GetValueOrDefault(id) is not { } other || other.Hash != row.Hash)
                {
                    candidates[id] = (row, destination.GetValueOrDefault(id), chunk.Index, chunk.ToString());
                }
            }

            foreach (var (id, row) in destination)
            {
                if (!source.ContainsKey(id))
                {
                    candidates[id] = (null, row, chunk.Index, chunk.ToString());
                }
            }
        });

        return new Dictionary<string, (RowDigest? Source, RowDigest? Destination, int Chunk, string Range)>(candidates, StringComparer.Ordinal);
    }

    private async Task CountAsync(CancellationToken cancellationToken)
    {
        (long Source, long Destination)? previous = null;
        for (var round = 1; round <= MaxRounds; round++)
        {
            result.Rounds = round;
            await using var point = await beginRound(cancellationToken);
            var source = point.Source.CountAsync(cancellationToken);
            var destination = point.Destination.CountAsync(cancellationToken);
            var counts = (Source: await source, Destination: await destination);
            (result.SourceRows, result.DestinationRows) = counts;
            if (round == 1)
            {
                result.RowsChecked = counts.Source;
                rowsChecked(counts.Source);
            }

            if (counts.Source == counts.Destination)
            {
                result.Status = "ok";
                return;
            }

            if (previous == counts)
            {
                result.Status = "drift";
                result.DriftRows = Math.Abs(counts.Source - counts.Destination);
                return;
            }

            previous = counts;
        }

        result.Status = "unsettled";
    }
}
