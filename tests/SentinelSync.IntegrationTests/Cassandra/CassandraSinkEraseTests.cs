using System.Runtime.CompilerServices;
using SentinelSync.Replication;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Sinks;
using SentinelSync.Testing;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.IntegrationTests.Cassandra;

/// <summary>
/// Erasure at the Cassandra sink against a real node (<see cref="TestServers.CassandraVariable"/>; skipped without one,
/// as on the build machines): a timestamped delete above every write so far removes the row, even one written by a
/// dead-letter replay; other rows stay; an older epoch is fenced.
/// </summary>
public sealed class CassandraSinkEraseTests
{
    private const string Sink = "wide";

    private static readonly TableSchema s_items = Table("items", 1, Key("id", "integer"), Column("v", "text"));

    [CassandraFact]
    public async Task Erase_shadows_every_earlier_write_of_the_key_and_an_older_epoch_is_fenced()
    {
        await using var target = await CassandraTarget.ConnectAsync(KeyspaceName());
        await using var sink = new CassandraSink(target.SinkOptions());
        var first = new ChangeBatchBuilder(s_items, 0x20000).Insert("1", "alice").Insert("2", "bob").Build();
        await sink.ApplyAsync(first, Sink, epoch: 2);
        await sink.ReplayAsync(first, Sink, epoch: 2);

        await Should.ThrowAsync<SinkFencedException>(() => sink.EraseAsync(Delete("1"), Sink, epoch: 1));
        (await target.RowsAsync("items", "id")).Count.ShouldBe(2);

        var erased = await sink.EraseAsync(Delete("1"), Sink, epoch: 2);

        erased.Count.ShouldBe(1);
        (await target.RowsAsync("items", "id", "v")).Select(r => $"{r[0]}|{r[1]}").ShouldBe(["2|bob"]);
        (await sink.ReadOffsetAsync(Sink, s_items.Table)).ShouldNotBeNull().Position.ShouldBe(first.Through);
    }

    private static RowChange Delete(string id) => new(ChangeKind.Delete, default, s_items, [], [ColumnValue.Of(id), ColumnValue.Null]);

    private static string KeyspaceName([CallerMemberName] string test = "")
    {
        var name = "it_" + new string(test.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        return name.Length <= 48 ? name : name[..48];
    }
}
