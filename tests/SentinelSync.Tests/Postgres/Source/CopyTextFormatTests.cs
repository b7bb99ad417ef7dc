using SentinelSync.Replication;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class CopyTextFormatTests
{
    [Fact]
    public void Splits_columns_on_tabs_and_reads_null_marker()
    {
        var row = CopyTextFormat.ParseRow("1\t\\N\tabc\t", 4);

        row.ShouldBe([ColumnValue.Of("1"), ColumnValue.Null, ColumnValue.Of("abc"), ColumnValue.Of("")]);
    }

    [Theory]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"line1\nline2\r", "line1\nline2\r")]
    [InlineData(@"back\\slash", @"back\slash")]
    [InlineData(@"\\N", @"\N")]
    [InlineData(@"\b\f\v", "\b\f\v")]
    [InlineData(@"\.", ".")]
    [InlineData(@"\101\102C", "ABC")]
    [InlineData(@"\7x", "\u0007x")]
    [InlineData(@"\x41\x4a", "AJ")]
    [InlineData(@"\xz", "xz")]
    [InlineData("caf\\303\\251 ok", "café ok")]
    [InlineData(@"\xe2\x82\xac", "€")]
    [InlineData("日本語 🎉", "日本語 🎉")]
    public void Resolves_escapes(string field, string expected)
    {
        CopyTextFormat.ParseField(field).ShouldBe(ColumnValue.Of(expected));
    }

    [Fact]
    public void An_escaped_tab_does_not_split_a_column()
    {
        var row = CopyTextFormat.ParseRow(@"x\ty" + "\t" + @"\N", 2);

        row.ShouldBe([ColumnValue.Of("x\ty"), ColumnValue.Null]);
    }

    [Fact]
    public void Null_marker_only_when_alone()
    {
        CopyTextFormat.ParseField(@"\Nx").ShouldBe(ColumnValue.Of("Nx"));
        CopyTextFormat.ParseField("").ShouldBe(ColumnValue.Of(""));
    }

    [Theory]
    [InlineData("1\t2\t3", 2)]
    [InlineData("1", 2)]
    public void Wrong_column_count_is_an_error(string line, int columns)
    {
        Should.Throw<FormatException>(() => CopyTextFormat.ParseRow(line, columns));
    }

    [Fact]
    public void Lone_trailing_backslash_is_an_error()
    {
        Should.Throw<FormatException>(() => CopyTextFormat.ParseField("abc\\"));
    }
}
