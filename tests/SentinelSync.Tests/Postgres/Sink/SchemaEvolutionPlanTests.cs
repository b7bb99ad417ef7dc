using SentinelSync.Replication.Sinks;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Postgres.Sink;

public sealed class SchemaEvolutionPlanTests
{
    [Fact]
    public void A_dropped_column_and_a_new_one_of_the_same_type_in_its_place_are_a_drop_and_an_add()
    {
        // The case: t (id, n, a text); DROP a; ADD b text. Same place, same type: still a new column.
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("n", "integer", 2), Column("a", "text", 3)),
            Table("t", 2, Key("id", "integer", 1), Column("n", "integer", 2), Column("b", "text", 4)));

        plan.Dropped.Select(c => c.Name).ShouldBe(["a"]);
        plan.Added.Select(c => c.Name).ShouldBe(["b"]);
        plan.Renamed.ShouldBeEmpty();
    }

    [Fact]
    public void A_column_dropped_and_added_again_under_its_own_name_is_a_new_column()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("a", "text", 2)),
            Table("t", 2, Key("id", "integer", 1), Column("a", "text", 3)));

        plan.Dropped.Select(c => c.AttributeNumber).ShouldBe([2]);
        plan.Added.Select(c => c.AttributeNumber).ShouldBe([3]);
        plan.IsEmpty.ShouldBeFalse();
    }

    [Fact]
    public void A_rename_keeps_its_attribute_number_even_with_a_type_change_and_at_the_end()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("b", "text", 2), Column("a", "integer", 3)),
            Table("t", 2, Key("id", "integer", 1), Column("b", "text", 2), Column("alpha", "bigint", 3)));

        plan.Renamed.Select(r => (r.Old.Name, r.New.Name)).ShouldBe([("a", "alpha")]);
        plan.Retyped.Select(r => (r.Old.TypeName, r.New.TypeName)).ShouldBe([("integer", "bigint")]);
        plan.Added.ShouldBeEmpty();
        plan.Dropped.ShouldBeEmpty();
    }

    [Fact]
    public void Drop_rename_and_add_between_two_versions_are_each_told_by_number()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("name", "text", 2), Column("old", "integer", 3), Column("nick", "text", 4)),
            Table("t", 2, Key("id", "integer", 1), Column("name", "text", 2), Column("nickname", "text", 4), Column("score", "integer", 5)));

        plan.Dropped.Select(c => c.Name).ShouldBe(["old"]);
        plan.Renamed.Select(r => (r.Old.Name, r.New.Name)).ShouldBe([("nick", "nickname")]);
        plan.Added.Select(c => c.Name).ShouldBe(["score"]);
        plan.Kept.Select(k => k.New.Name).ShouldBe(["id", "name", "nickname"]);
    }

    [Fact]
    public void Swapped_names_are_two_renames()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("a", "text", 2), Column("b", "text", 3)),
            Table("t", 2, Key("id", "integer", 1), Column("b", "text", 2), Column("a", "text", 3)));

        plan.Renamed.Select(r => (r.Old.Name, r.New.Name)).ShouldBe([("a", "b"), ("b", "a")]);
        plan.Added.ShouldBeEmpty();
        plan.Dropped.ShouldBeEmpty();
    }

    [Fact]
    public void Without_attribute_numbers_a_changed_shape_is_refused_rather_than_guessed()
    {
        var before = Table("t", 1, Key("id", "integer"), Column("n", "integer"), Column("a", "text"));
        var after = Table("t", 2, Key("id", "integer"), Column("n", "integer"), Column("b", "text"));

        var refused = Should.Throw<AmbiguousSchemaChangeException>(() => SchemaEvolutionPlan.Create(before, after));
        refused.Message.ShouldContain("sentinel resync");

        // Numbers on one side only do not help either.
        Should.Throw<AmbiguousSchemaChangeException>(() => SchemaEvolutionPlan.Create(
            before, Table("t", 2, Key("id", "integer", 1), Column("n", "integer", 2), Column("b", "text", 4))));
    }

    [Fact]
    public void A_schema_stored_without_numbers_may_still_gain_columns_at_the_end()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text")),
            Table("t", 2, Key("id", "integer", 1), Column("a", "text", 2), Column("b", "integer", 3)));

        plan.Added.Select(c => c.Name).ShouldBe(["b"]);
        plan.Dropped.ShouldBeEmpty();
        plan.Renamed.ShouldBeEmpty();
    }

    [Fact]
    public void When_the_table_is_emptied_in_the_same_step_columns_match_by_name()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer", 1), Column("a", "text", 3)),
            Table("t", 2, Key("id", "integer"), Column("b", "text")),
            emptying: true);

        plan.Dropped.Select(c => c.Name).ShouldBe(["a"]);
        plan.Added.Select(c => c.Name).ShouldBe(["b"]);
        plan.Renamed.ShouldBeEmpty();
    }
}
