using System.Runtime.CompilerServices;
using Npgsql;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.ClickHouse;

/// <summary>A fresh ClickHouse database, a fresh control database and a <see cref="ClickHouseSink"/> writing into them.</summary>
internal sealed class ClickHouseSinkTarget : IAsyncDisposable
{
    public const string SinkName = "ch-test";

    private ClickHouseSinkTarget(ClickHouseDatabase clickHouse, PostgresDatabase control, NpgsqlDataSource dataSource, ClickHouseSink sink)
    {
        ClickHouse = clickHouse;
        Control = control;
        ControlSource = dataSource;
        Sink = sink;
    }

    public ClickHouseDatabase ClickHouse { get; }

    public PostgresDatabase Control { get; }

    public NpgsqlDataSource ControlSource { get; }

    public ClickHouseSink Sink { get; }

    public static async Task<ClickHouseSinkTarget> CreateAsync(
        Action<ClickHouseSinkOptions>? configure = null,
        [CallerMemberName] string name = "",
        [CallerFilePath] string callerFile = "")
    {
        var clickHouse = await ClickHouseDatabase.CreateAsync(name, callerFile);
        var control = await PostgresDatabase.CreateAsync(TestServers.Postgres, name, callerFile);
        var dataSource = NpgsqlDataSource.Create(control.ConnectionString);
        var options = new ClickHouseSinkOptions { Url = clickHouse.Server.ToString(), Database = clickHouse.Name };
        configure?.Invoke(options);
        return new ClickHouseSinkTarget(clickHouse, control, dataSource, new ClickHouseSink(options, dataSource));
    }

    /// <summary>Live rows of <paramref name="table"/> (FINAL, <c>_deleted = 0</c>) as TabSeparated lines of <paramref name="columns"/>, ordered by them.</summary>
    public async Task<List<string>> LiveRowsAsync(string table, string columns)
    {
        var text = await ClickHouse.QueryAsync($"SELECT {columns} FROM `{table}` FINAL WHERE _deleted = 0 ORDER BY {columns} FORMAT TabSeparated");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        await ControlSource.DisposeAsync();
        await Control.DisposeAsync();
        await ClickHouse.DisposeAsync();
    }
}
