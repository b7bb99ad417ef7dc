using SentinelSync.Replication.Postgres;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class SourcePrerequisitesTests
{
    private static readonly SourcePrerequisites _ready = new("logical", "cdc", CanReplicate: true, 10, 3, SlotExists: false, null, null, "shop");

    [Fact]
    public void Ready_server_has_no_problem() => _ready.Problems("s").ShouldBeEmpty();

    [Fact]
    public void Explains_a_wal_level_that_is_not_logical()
    {
        var problem = (_ready with { WalLevel = "replica" }).Problems("s").ShouldHaveSingleItem();

        problem.ShouldContain("wal_level is 'replica'");
        problem.ShouldContain("restart");
    }

    [Fact]
    public void Explains_exhausted_slots_only_when_the_slot_must_be_created()
    {
        (_ready with { UsedReplicationSlots = 10 }).Problems("s").ShouldHaveSingleItem().ShouldContain("max_replication_slots");
        (_ready with { UsedReplicationSlots = 10, SlotExists = true, SlotPlugin = "pgoutput", SlotDatabase = "shop" }).Problems("s").ShouldBeEmpty();
    }

    [Fact]
    public void Rejects_an_existing_slot_of_another_plugin_or_database()
    {
        (_ready with { SlotExists = true, SlotPlugin = "wal2json", SlotDatabase = "shop" }).Problems("s").ShouldHaveSingleItem().ShouldContain("wal2json");
        (_ready with { SlotExists = true, SlotPlugin = "pgoutput", SlotDatabase = "other" }).Problems("s").ShouldHaveSingleItem().ShouldContain("database 'other'");
    }
}
