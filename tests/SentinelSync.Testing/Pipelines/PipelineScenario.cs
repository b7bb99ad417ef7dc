using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace SentinelSync.Testing;

/// <summary>
/// Everything an end-to-end pipeline test needs: a source database (on the source cluster), a destination
/// database (on the destination cluster), a control database, optionally a ClickHouse database, and a
/// configuration file for <c>sentinel run</c> with one pipeline <c>p</c> from the source's <c>public.*</c> to
/// the chosen sinks (<see cref="PipelineSinks"/>).
/// </summary>
public sealed class PipelineScenario : IAsyncDisposable
{
    private readonly List<SentinelProcess> _silos = [];

    private PipelineScenario(PostgresDatabase source, PostgresDatabase destination, PostgresDatabase control, ClickHouseDatabase? clickHouse, string configFile, int httpPort)
    {
        Source = source;
        Destination = destination;
        Control = control;
        ClickHouse = clickHouse;
        ConfigFile = configFile;
        HttpPort = httpPort;
    }

    public const string Pipeline = "p";

    public const string SinkName = "warehouse";

    public const string ClickHouseSinkName = "analytics";

    public const string CassandraSinkName = "wide";

    public PostgresDatabase Source { get; }

    public PostgresDatabase Destination { get; }

    public PostgresDatabase Control { get; }

    /// <summary>The ClickHouse sink's database, when the scenario has that sink.</summary>
    public ClickHouseDatabase? ClickHouse { get; }

    /// <summary>The keyspace of the Cassandra sink (named after the source database), when the scenario has that sink.</summary>
    public string? CassandraKeyspace { get; private init; }

    public string ConfigFile { get; }

    public int HttpPort { get; }

    public Uri Server => new($"http://127.0.0.1:{HttpPort}");

    public static async Task<PipelineScenario> CreateAsync(
        string tables = "public.*",
        PipelineSinks sinks = PipelineSinks.Postgres,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_src", callerFile);
        var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination, name + "_dst", callerFile);
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_ctl", callerFile);
        var clickHouse = sinks.HasFlag(PipelineSinks.ClickHouse) ? await ClickHouseDatabase.CreateAsync(name + "_ch", callerFile) : null;
        var port = SentinelProcess.FreePortPair();
        var configFile = Path.Combine(Path.GetTempPath(), $"{source.Name}.yaml");
        var sinkEntries = new StringBuilder();
        if (sinks.HasFlag(PipelineSinks.Postgres))
        {
            sinkEntries.Append(CultureInfo.InvariantCulture, $$"""

                      - name: {{SinkName}}
                        postgres: { connection: "{{destination.ConnectionString}}" }
                """);
        }

        if (clickHouse is not null)
        {
            sinkEntries.Append(CultureInfo.InvariantCulture, $$"""

                      - name: {{ClickHouseSinkName}}
                        clickhouse: { url: "{{clickHouse.Server}}", database: {{clickHouse.Name}} }
                """);
        }

        string? keyspace = null;
        if (sinks.HasFlag(PipelineSinks.Cassandra))
        {
            var contactPoint = TestServers.Cassandra ?? throw new InvalidOperationException($"{TestServers.CassandraVariable} is not set");
            keyspace = source.Name.Length <= 48 ? source.Name : source.Name[^48..];
            sinkEntries.Append(CultureInfo.InvariantCulture, $$"""

                      - name: {{CassandraSinkName}}
                        cassandra: { contactPoints: ["{{contactPoint}}"], localDatacenter: {{TestServers.CassandraDatacenter}}, keyspace: {{keyspace}}, replication: "{'class': 'NetworkTopologyStrategy', '{{TestServers.CassandraDatacenter}}': 1}", consistency: LOCAL_QUORUM }
                """);
        }

        await File.WriteAllTextAsync(configFile, $$"""
            controlDb: "{{control.ConnectionString}}"
            silo: { name: test-silo, httpPort: {{port}}, siloPort: {{port + 1}} }
            pipelines:
              - name: {{Pipeline}}
                source:
                  postgres:
                    connection: "{{source.ConnectionString}}"
                    publication: {{source.Name}}
                    slot: {{source.Name}}
                    tables: ["{{tables}}"]
                    snapshot: initial
                sinks:
            """ + sinkEntries);
        return new PipelineScenario(source, destination, control, clickHouse, configFile, port) { CassandraKeyspace = keyspace };
    }

    /// <summary>
    /// Adds settings to the configuration before the silo starts: <paramref name="topLevel"/> as top-level keys
    /// (e.g. <c>masking:</c>), <paramref name="sinkSettings"/> as further keys of sink <paramref name="sink"/>
    /// (e.g. <c>transforms:</c>), both written without indentation of their own.
    /// </summary>
    public async Task AddSettingsAsync(string topLevel, string sink, string sinkSettings)
    {
        var lines = (await File.ReadAllTextAsync(ConfigFile)).Split('\n').ToList();
        var at = lines.FindIndex(l => l.Trim() == $"- name: {sink}");
        if (at < 0)
        {
            throw new InvalidOperationException($"The scenario has no sink '{sink}'.");
        }

        // The sink's name and destination take two lines; its other keys go below them, at the same indentation.
        lines.InsertRange(at + 2, sinkSettings.Split('\n').Select(l => "        " + l.TrimEnd('\r')));
        lines.Add(topLevel);
        await File.WriteAllTextAsync(ConfigFile, string.Join('\n', lines));
    }

    public Task<SentinelProcess> StartSentinelAsync(IReadOnlyDictionary<string, string>? environment = null) =>
        Started(SentinelProcess.StartAsync(ConfigFile, HttpPort, environment: environment));

    /// <summary>Starts another silo of the same cluster (same control database and pipelines) under its own name and ports.</summary>
    public async Task<SentinelProcess> StartAnotherSiloAsync(string siloName, TimeSpan? readyWithin = null)
    {
        var port = SentinelProcess.FreePortPair();
        var file = Path.Combine(Path.GetTempPath(), $"{Source.Name}_{siloName}.yaml");
        var config = await File.ReadAllTextAsync(ConfigFile);
        var silo = config.Split('\n').Single(l => l.StartsWith("silo:", StringComparison.Ordinal));
        await File.WriteAllTextAsync(file, config.Replace(silo, $"silo: {{ name: {siloName}, httpPort: {port}, siloPort: {port + 1} }}", StringComparison.Ordinal));
        return await Started(SentinelProcess.StartAsync(file, port, readyWithin));
    }

    /// <summary>Notes a silo this scenario started, so that disposal kills it if the test or benchmark failed before stopping it.</summary>
    private async Task<SentinelProcess> Started(Task<SentinelProcess> starting)
    {
        var sentinel = await starting;
        lock (_silos)
        {
            _silos.Add(sentinel);
        }

        return sentinel;
    }

    /// <summary>An order-sensitive checksum of a whole table: the md5 of every row's text, in key order.</summary>
    public static async Task<(long Rows, string Checksum)> ChecksumAsync(PostgresDatabase database, string table, string orderBy)
    {
        await using var connection = await database.OpenConnectionAsync();
        // ROW(t.*), not t: a table with a column named t would otherwise be compared on that column alone.
        await using var command = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(ROW(t.*)::text, E'\\n' ORDER BY {orderBy})), '') FROM {table} t", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>
    /// Waits until the pipeline streams (phase <c>streaming</c> in <c>/api/pipelines</c>): its snapshot is applied at
    /// every sink, which may be later than one destination matching the source.
    /// </summary>
    public async Task WaitForStreamingAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Server };
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                last = await http.GetStringAsync("api/pipelines");
                using var pipelines = System.Text.Json.JsonDocument.Parse(last);
                return pipelines.RootElement.GetProperty("pipelines").EnumerateArray().Any(p => p.GetProperty("phase").GetString() == "streaming");
            },
            within,
            () => $"pipeline {Pipeline} to stream (its snapshot applied at every sink); last: {last}");
    }

    /// <summary>Waits until every table has the same rows at the destination as at the source.</summary>
    public async Task WaitForConvergenceAsync(TimeSpan within, params (string Table, string OrderBy)[] tables)
    {
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                foreach (var (table, orderBy) in tables)
                {
                    var source = await ChecksumAsync(Source, table, orderBy);
                    (long Rows, string Checksum) destination;
                    try
                    {
                        destination = await ChecksumAsync(Destination, table, orderBy);
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
                    {
                        last = $"{table}: not created at the destination yet";
                        return false;
                    }

                    if (source != destination)
                    {
                        last = $"{table}: source {source.Rows} rows ({source.Checksum}), destination {destination.Rows} rows ({destination.Checksum})";
                        return false;
                    }
                }

                return true;
            },
            within,
            () => $"destination to converge to the source; last difference: {last}");
    }

    /// <summary>
    /// Live rows of a table on one side, compared on chosen columns: how many, the sums of <paramref name="sums"/>,
    /// how many distinct keys, and the md5 of every row's text (<c>key|col|col…</c>, NULL as <c>\N</c>) in key order.
    /// </summary>
    public sealed record LiveRows(long Rows, long DistinctKeys, string Sums, string Hash, IReadOnlyList<(long Key, string RowHash)> RowHashes)
    {
        public override string ToString() => $"{Rows} rows ({DistinctKeys} keys), sums {Sums}, hash {Hash}";
    }

    /// <summary>
    /// The source's live rows of <paramref name="table"/> (in <c>public</c>) as <see cref="LiveRows"/>:
    /// <paramref name="key"/> must be an integer column, and <paramref name="columns"/> and <paramref name="sums"/>
    /// columns whose text is the same in Postgres (the output function, <c>format('%s', col)</c>) and ClickHouse (<c>toString</c>): integers,
    /// text, <c>numeric(p,s)</c> (Decimal keeps the scale), not floats, timestamps or dates.
    /// </summary>
    public async Task<LiveRows> SourceLiveRowsAsync(string table, string key, string[] columns, string[] sums)
    {
        // format('%s') is the type's output function, the text pgoutput sends (::text differs for inet, xml, bool, char).
        // (format turns NULL into '', hence the CASE.)
        var rowText = string.Join(" || '|' || ", new[] { key }.Concat(columns).Select(c => $"CASE WHEN {Quote(c)} IS NULL THEN '\\N' ELSE format('%s', {Quote(c)}) END"));
        var sumList = sums.Length == 0 ? "''" : string.Join(" || ',' || ", sums.Select(c => $"coalesce(sum({Quote(c)})::text, '\\N')"));
        var summary = await ReadPostgresAsync($"SELECT count(*), count(DISTINCT {Quote(key)}), {sumList} FROM {Quote(table)}", r => (r.GetInt64(0), r.GetInt64(1), r.GetString(2)));
        var rows = await ReadPostgresAsync($"SELECT {Quote(key)}::bigint, md5({rowText}) FROM {Quote(table)} ORDER BY {Quote(key)}", r => (r.GetInt64(0), r.GetString(1)));
        return Summarize(summary.Single(), rows);
    }

    /// <summary>
    /// The same as <see cref="SourceLiveRowsAsync"/> for ClickHouse's live rows: <c>FROM t FINAL WHERE _deleted = 0</c>.
    /// Null while the table does not exist yet.
    /// </summary>
    public async Task<LiveRows?> ClickHouseLiveRowsAsync(string table, string key, string[] columns, string[] sums)
    {
        var clickHouse = ClickHouse ?? throw new InvalidOperationException("This scenario has no ClickHouse sink.");
        var from = $"{QuoteClickHouse(table)} FINAL WHERE _deleted = 0";
        var rowText = string.Join(", '|', ", new[] { key }.Concat(columns).Select(c => $"ifNull(toString({QuoteClickHouse(c)}), '\\\\N')"));
        var sumList = sums.Length == 0 ? "''" : string.Join(", ',', ", sums.Select(c => $"ifNull(toString(sum({QuoteClickHouse(c)})), '\\\\N')"));
        string summaryText;
        string rowsText;
        try
        {
            summaryText = await clickHouse.QueryAsync($"SELECT count(), uniqExact({QuoteClickHouse(key)}), concat({sumList}, '') FROM {from} FORMAT TabSeparated");
            rowsText = await clickHouse.QueryAsync($"SELECT toInt64({QuoteClickHouse(key)}) AS k, lower(hex(MD5(concat({rowText})))) FROM {from} ORDER BY k FORMAT TabSeparated");
        }
        catch (Exception e) when (ClickHouseDatabase.IsMissingTable(e))
        {
            return null;
        }

        var fields = summaryText.TrimEnd('\n').Split('\t');
        var rows = rowsText.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), f[1]))
            .ToList();
        return Summarize((long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), fields[2]), rows);
    }

    /// <summary>
    /// Waits until ClickHouse's live rows of <paramref name="table"/> equal the source's (see
    /// <see cref="SourceLiveRowsAsync"/>) and hold no key twice; a timeout names the first differing key.
    /// </summary>
    public async Task WaitForClickHouseConvergenceAsync(TimeSpan within, string table, string key, string[] columns, string[] sums)
    {
        var last = "";
        await Eventually.WaitAsync(
            async () =>
            {
                var source = await SourceLiveRowsAsync(table, key, columns, sums);
                var clickHouse = await ClickHouseLiveRowsAsync(table, key, columns, sums);
                if (clickHouse is null)
                {
                    last = $"{table}: not created in ClickHouse yet";
                    return false;
                }

                if (clickHouse.Rows != clickHouse.DistinctKeys)
                {
                    throw new InvalidOperationException($"{table}: ClickHouse shows {clickHouse.Rows} live rows for {clickHouse.DistinctKeys} keys through FINAL: a key is visible twice.");
                }

                if (source.Rows != clickHouse.Rows || source.Sums != clickHouse.Sums || source.Hash != clickHouse.Hash)
                {
                    last = $"{table}: source {source}, ClickHouse {clickHouse}; {FirstDifference(source, clickHouse)}";
                    return false;
                }

                return true;
            },
            within,
            () => $"ClickHouse to converge to the source; last difference: {last}");
    }

    private static string FirstDifference(LiveRows source, LiveRows clickHouse)
    {
        var theirs = clickHouse.RowHashes.ToDictionary(r => r.Key, r => r.RowHash);
        foreach (var (key, hash) in source.RowHashes)
        {
            if (!theirs.Remove(key, out var other))
            {
                return $"key {key} missing in ClickHouse";
            }

            if (other != hash)
            {
                return $"key {key} differs";
            }
        }

        return theirs.Count > 0 ? $"key {theirs.Keys.Min()} only in ClickHouse" : "no row differs";
    }

    private static LiveRows Summarize((long Rows, long DistinctKeys, string Sums) summary, List<(long Key, string RowHash)> rows)
    {
        var text = new StringBuilder();
        foreach (var (key, rowHash) in rows)
        {
            text.Append(key.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(rowHash).Append('\n');
        }

        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        return new LiveRows(summary.Rows, summary.DistinctKeys, summary.Sums, hash, rows);
    }

    private async Task<List<T>> ReadPostgresAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = await Source.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new List<T>();
        while (await reader.ReadAsync())
        {
            result.Add(read(reader));
        }

        return result;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string QuoteClickHouse(string identifier) =>
        "`" + identifier.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "`";

    public async ValueTask DisposeAsync()
    {
        // Before the databases go: a silo left running would reconnect to databases of the same name made by a
        // later run (the names are derived from the test's), and compete with that run's silos.
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await Source.DisposeAsync();
        await Destination.DisposeAsync();
        await Control.DisposeAsync();
        if (ClickHouse is not null)
        {
            await ClickHouse.DisposeAsync();
        }

        File.Delete(ConfigFile);
    }
}
