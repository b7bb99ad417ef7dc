using SentinelSync.Testing;

namespace SentinelSync.Tests.Testing;

public sealed class TestDatabaseNameTests
{
    [Theory]
    [InlineData("Table_round_trips_a_row", "table_round_trips_a_row")]
    [InlineData("Weird Name-With.Dots!", "weird_name_with_dots")]
    [InlineData("<Main>$", "main")]
    [InlineData("", "db")]
    [InlineData("ÄÖÜ", "db")]
    public void Sanitize_keeps_lower_case_letters_digits_and_underscores(string caller, string expected)
    {
        TestDatabaseName.Sanitize(caller).ShouldBe(expected);
    }

    [Fact]
    public void Names_are_valid_postgres_identifiers_even_for_long_callers()
    {
        var name = TestDatabaseName.Next(new string('x', 500), "/src/LongTests.cs");

        name.Length.ShouldBeLessThanOrEqualTo(TestDatabaseName.MaxLength);
        name.ShouldMatch("^[a-z][a-z0-9_]*$");
    }

    [Fact]
    public void Each_call_gives_a_new_name_and_other_files_other_names()
    {
        var first = TestDatabaseName.Next(nameof(Each_call_gives_a_new_name_and_other_files_other_names), "/a/Tests.cs");
        var second = TestDatabaseName.Next(nameof(Each_call_gives_a_new_name_and_other_files_other_names), "/a/Tests.cs");
        var elsewhere = TestDatabaseName.Next(nameof(Each_call_gives_a_new_name_and_other_files_other_names), "/b/Tests.cs");

        new[] { first, second, elsewhere }.Distinct().Count().ShouldBe(3);
        second[..^2].ShouldBe(first[..^2]);
    }
}
