using SentinelSync.Replication.Postgres;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class AttributeNumbersTests
{
    private const uint Int4 = 23;
    private const uint Text = 25;

    [Fact]
    public void A_catalog_that_matches_the_message_gives_its_numbers()
    {
        var numbers = AttributeNumbers.Resolve(
            [("id", Int4, -1), ("n", Int4, -1), ("b", Text, -1)],
            Table("t", 1, Key("id", "integer", 1), Column("n", "integer", 2), Column("a", "text", 3)),
            [Live(1, "id", Int4), Live(2, "n", Int4), Dropped(3), Live(4, "b", Text)]);

        numbers.ShouldBe([1, 2, 4]);
    }

    [Fact]
    public void A_catalog_changed_again_since_the_message_still_gives_the_previous_numbers_when_none_was_dropped()
    {
        // Message: a renamed to a2 (number 2); the catalog has moved on to a3 and an added c.
        var numbers = AttributeNumbers.Resolve(
            [("id", Int4, -1), ("a2", Text, -1)],
            Table("t", 1, Key("id", "integer", 1), Column("a", "text", 2)),
            [Live(1, "id", Int4), Live(2, "a3", Text), Live(3, "c", Int4)]);

        numbers.ShouldBe([1, 2]);
    }

    [Fact]
    public void A_catalog_changed_again_after_a_drop_cannot_tell_a_rename_from_a_drop_and_an_add()
    {
        // Message (id, n, b): b may be a renamed a (3) or a new column (4); the catalog has since renamed 4 to c.
        var numbers = AttributeNumbers.Resolve(
            [("id", Int4, -1), ("n", Int4, -1), ("b", Text, -1)],
            Table("t", 1, Key("id", "integer", 1), Column("n", "integer", 2), Column("a", "text", 3)),
            [Live(1, "id", Int4), Live(2, "n", Int4), Dropped(3), Live(4, "c", Text)]);

        numbers.ShouldBeNull();
    }

    [Fact]
    public void Generated_columns_are_not_published_and_not_numbered()
    {
        var numbers = AttributeNumbers.Resolve(
            [("id", Int4, -1), ("b", Text, -1)],
            null,
            [Live(1, "id", Int4), new SourceAttribute(2, "g", Int4, -1, IsDropped: false, IsGenerated: true), Live(3, "b", Text)]);

        numbers.ShouldBe([1, 3]);
    }

    private static SourceAttribute Live(int number, string name, uint type) => new(number, name, type, -1, IsDropped: false, IsGenerated: false);

    private static SourceAttribute Dropped(int number) => new(number, $"........pg.dropped.{number}........", 0, -1, IsDropped: true, IsGenerated: false);
}
