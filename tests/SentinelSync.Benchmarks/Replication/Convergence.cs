namespace SentinelSync.Benchmarks.Replication;

/// <summary>
/// Whether a destination equals its source, table by table: the row count and the md5 over every row's text
/// (<c>t::text</c>, which covers every column) in key order, computed on both servers at once.
/// </summary>
internal static class Convergence
{
    public static async Task<List<TableCheck>> CheckAsync(string source, string destination, IEnumerable<(string Table, string OrderBy)> tables)
    {
        var checks = new List<TableCheck>();
        foreach (var (table, orderBy) in tables)
        {
            var sql = $"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {BenchPostgres.Quote(orderBy)})), '') FROM {BenchPostgres.Quote(table)} t";
            var both = await Task.WhenAll(
                BenchPostgres.QueryAsync(source, sql, r => (r.GetInt64(0), r.GetString(1))),
                BenchPostgres.QueryAsync(destination, sql, r => (r.GetInt64(0), r.GetString(1))));
            var (sourceRows, sourceHash) = both[0][0];
            var (destinationRows, destinationHash) = both[1][0];
            checks.Add(new TableCheck(table, sourceRows, destinationRows, sourceHash, destinationHash, sourceRows == destinationRows && sourceHash == destinationHash));
        }

        return checks;
    }
}

/// <summary>One table compared at the end of a run.</summary>
internal sealed record TableCheck(string Table, long SourceRows, long DestinationRows, string SourceMd5, string DestinationMd5, bool Equal);
