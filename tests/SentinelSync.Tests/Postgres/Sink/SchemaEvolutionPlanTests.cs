using SentinelSync.Replication.Postgres;
using SentinelSync.Replication.Sinks;
using static SentinelSync.Testing.ChangeBatchBuilder;

namespace SentinelSync.Tests.Postgres.Sink;

public sealed class SchemaEvolutionPlanTests
{
    [Fact]
    public void An_added_column_at_the_end_is_an_addition()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text")),
            Table("t", 2, Key("id", "integer"), Column("a", "text"), Column("b", "integer")));

        plan.Added.Select(c => c.Name).ShouldBe(["b"]);
        plan.Dropped.ShouldBeEmpty();
        plan.Renamed.ShouldBeEmpty();
    }

    [Fact]
    public void A_column_gone_from_the_middle_is_a_drop()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text"), Column("b", "text")),
            Table("t", 2, Key("id", "integer"), Column("b", "text")));

        plan.Dropped.Select(c => c.Name).ShouldBe(["a"]);
        plan.Added.ShouldBeEmpty();
    }

    [Fact]
    public void A_new_name_in_the_place_of_an_old_one_is_a_rename_even_with_a_type_change()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "integer"), Column("b", "text")),
            Table("t", 2, Key("id", "integer"), Column("alpha", "bigint"), Column("b", "text")));

        plan.Renamed.Select(r => (r.Old.Name, r.New.Name)).ShouldBe([("a", "alpha")]);
        plan.Retyped.Select(r => (r.Old.TypeName, r.New.TypeName)).ShouldBe([("integer", "bigint")]);
        plan.Added.ShouldBeEmpty();
        plan.Dropped.ShouldBeEmpty();
    }

    [Fact]
    public void At_the_end_a_rename_needs_the_same_type_otherwise_it_is_drop_plus_add()
    {
        var renamed = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text")),
            Table("t", 2, Key("id", "integer"), Column("z", "text")));
        var replaced = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text")),
            Table("t", 2, Key("id", "integer"), Column("z", "jsonb")));

        renamed.Renamed.Select(r => r.New.Name).ShouldBe(["z"]);
        replaced.Renamed.ShouldBeEmpty();
        replaced.Dropped.Select(c => c.Name).ShouldBe(["a"]);
        replaced.Added.Select(c => c.Name).ShouldBe(["z"]);
    }

    [Fact]
    public void Kept_columns_come_in_the_new_schema_order()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("a", "text"), Column("b", "text")),
            Table("t", 2, Key("id", "integer"), Column("a2", "text"), Column("b", "text")));

        plan.Kept.Select(k => k.New.Name).ShouldBe(["id", "a2", "b"]);
        plan.IsEmpty.ShouldBeFalse();
    }

    [Fact]
    public void Drop_rename_and_add_after_the_last_name_match_are_told_apart_by_type()
    {
        var plan = SchemaEvolutionPlan.Create(
            Table("t", 1, Key("id", "integer"), Column("name", "text"), Column("old", "integer"), Column("nick", "text")),
            Table("t", 2, Key("id", "integer"), Column("name", "text"), Column("nickname", "text"), Column("score", "integer")));

        plan.Dropped.Select(c => c.Name).ShouldBe(["old"]);
        plan.Renamed.Select(r => (r.Old.Name, r.New.Name)).ShouldBe([("nick", "nickname")]);
        plan.Added.Select(c => c.Name).ShouldBe(["score"]);
    }
}
