using Npgsql;
using SentinelSync.Runtime;
using SentinelSync.Testing;
using SentinelSync.Testing.Membership;

namespace SentinelSync.IntegrationTests.Runtime.Membership;

/// <summary>The membership table contract against <see cref="PostgresMembershipTable"/> in a fresh control database per test.</summary>
public sealed class PostgresMembershipTableTests : MembershipTableContractTests, IAsyncLifetime
{
    private PostgresDatabase? _database;
    private NpgsqlDataSource? _dataSource;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override async Task<IMembershipTable> CreateTableAsync(string testName = "")
    {
        _database = await PostgresDatabase.CreateAsync(TestServers.Postgres, testName);
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        await ControlDatabase.MigrateAsync(_dataSource, [], default);
        return new PostgresMembershipTable(_dataSource);
    }
}
