using SentinelSync.Testing;
using Xunit.Abstractions;

namespace SentinelSync.IntegrationTests.Infrastructure;

/// <summary>The ClickHouse server eng/setup.sh starts (18.16 on these machines), over HTTP.</summary>
public sealed class ClickHouseServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Replacing_merge_tree_final_returns_the_newest_version()
    {
        await using var database = await ClickHouseDatabase.CreateAsync();
        await database.QueryAsync(
            "CREATE TABLE items (id UInt64, name String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id");

        // Two inserts make two parts, so FINAL (not a background merge) must pick the newest.
        await database.InsertAsync("INSERT INTO items FORMAT TabSeparated", "1\tnew\t2\n");
        await database.InsertAsync("INSERT INTO items FORMAT TabSeparated", "1\told\t1\n2\tother\t1\n");

        (await database.QueryAsync("SELECT id, name, version FROM items FINAL ORDER BY id"))
            .ShouldBe("1\tnew\t2\n2\tother\t1\n");
        (await database.ScalarAsync<long>("SELECT count() FROM items")).ShouldBe(3);
    }

    [Fact]
    public async Task Server_reports_its_version()
    {
        await using var database = await ClickHouseDatabase.CreateAsync();

        var version = await database.ScalarAsync<string>("SELECT version()");

        output.WriteLine($"ClickHouse {version}");
        version.ShouldMatch(@"^\d+\.\d+\.\d+");
    }

    [Fact]
    public async Task Dispose_drops_the_database()
    {
        var database = await ClickHouseDatabase.CreateAsync();
        await database.QueryAsync("CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id");

        await database.DisposeAsync();

        await using var probe = await ClickHouseDatabase.CreateAsync();
        (await probe.QueryAsync("SHOW DATABASES")).Split('\n').ShouldNotContain(database.Name);
        (await probe.QueryAsync("SHOW DATABASES")).Split('\n').ShouldContain(probe.Name);
    }
}
