using System.Runtime.CompilerServices;
using Npgsql;

namespace SentinelSync.Testing;

/// <summary>
/// Everything an end-to-end pipeline test needs: a source database (on the source cluster), a destination
/// database (on the destination cluster), a control database, and a configuration file for
/// <c>sentinel run</c> with one pipeline <c>p</c> from the source's <c>public.*</c> to the destination.
/// </summary>
public sealed class PipelineScenario : IAsyncDisposable
{
    private PipelineScenario(PostgresDatabase source, PostgresDatabase destination, PostgresDatabase control, string configFile, int httpPort)
    {
        Source = source;
        Destination = destination;
        Control = control;
        ConfigFile = configFile;
        HttpPort = httpPort;
    }

    public const string Pipeline = "p";

    public const string SinkName = "warehouse";

    public PostgresDatabase Source { get; }

    public PostgresDatabase Destination { get; }

    public PostgresDatabase Control { get; }

    public string ConfigFile { get; }

    public int HttpPort { get; }

    public Uri Server => new($"http://127.0.0.1:{HttpPort}");

    public static async Task<PipelineScenario> CreateAsync(
        string tables = "public.*",
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var source = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_src", callerFile);
        var destination = await PostgresDatabase.CreateAsync(TestServers.PostgresDestination, name + "_dst", callerFile);
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name + "_ctl", callerFile);
        var port = SentinelProcess.FreePortPair();
        var configFile = Path.Combine(Path.GetTempPath(), $"{source.Name}.yaml");
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
                  - name: {{SinkName}}
                    postgres: { connection: "{{destination.ConnectionString}}" }
            """);
        return new PipelineScenario(source, destination, control, configFile, port);
    }

    public Task<SentinelProcess> StartSentinelAsync() => SentinelProcess.StartAsync(ConfigFile, HttpPort);

    /// <summary>An order-sensitive checksum of a whole table: the md5 of every row's text, in key order.</summary>
    public static async Task<(long Rows, string Checksum)> ChecksumAsync(PostgresDatabase database, string table, string orderBy)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY {orderBy})), '') FROM {table} t", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
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

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        await Destination.DisposeAsync();
        await Control.DisposeAsync();
        File.Delete(ConfigFile);
    }
}
