using SentinelSync.Replication.Postgres;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class PostgresSourceOptionsTests
{
    private static PostgresSourceOptions Valid() => new()
    {
        Connection = "Host=127.0.0.1;Username=postgres",
        Publication = "sentinel_pub",
        Slot = "sentinel_slot",
        Tables = ["public.orders", "sales.*"],
    };

    [Fact]
    public void Valid_options_have_no_errors()
    {
        Valid().Validate().ShouldBeEmpty();
        Valid().ParseTables().ShouldBe([new TableSelector("public", "orders"), new TableSelector("sales", null)]);
    }

    [Fact]
    public void Missing_values_name_their_keys()
    {
        var errors = new PostgresSourceOptions().Validate();

        errors.ShouldContain(e => e.Key == "source.postgres.connection");
        errors.ShouldContain(e => e.Key == "source.postgres.publication");
        errors.ShouldContain(e => e.Key == "source.postgres.slot");
        errors.ShouldContain(e => e.Key == "source.postgres.tables");
    }

    [Theory]
    [InlineData("Has-Dash")]
    [InlineData("UPPER")]
    [InlineData("a_slot_name_that_is_far_too_long_for_postgres_to_accept_as_an_ident")]
    public void Invalid_slot_names_are_rejected(string slot)
    {
        var options = Valid();
        options.Slot = slot;

        options.Validate().ShouldHaveSingleItem().Key.ShouldBe("source.postgres.slot");
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("a.b.c")]
    [InlineData(".orders")]
    [InlineData("public.")]
    [InlineData("public.ord*")]
    [InlineData("*.orders")]
    public void Malformed_table_entries_name_their_index(string entry)
    {
        var options = Valid();
        options.Tables.Add(entry);

        options.Validate().ShouldHaveSingleItem().Key.ShouldBe("source.postgres.tables[2]");
    }

    [Fact]
    public void Unknown_snapshot_mode_is_rejected()
    {
        var options = Valid();
        options.Snapshot = "sometimes";

        options.Validate().ShouldHaveSingleItem().Key.ShouldBe("source.postgres.snapshot");
        options.Snapshot = PostgresSourceOptions.SnapshotNever;
        options.Validate().ShouldBeEmpty();
        options.CopiesSnapshot.ShouldBeFalse();
    }
}
