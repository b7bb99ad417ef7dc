using SentinelSync.Replication;
using SentinelSync.Replication.ClickHouse;

namespace SentinelSync.Tests.ClickHouse;

/// <summary>
/// Snapshot rows converted from COPY text straight to TabSeparated must be, byte for byte, what the row writer
/// writes for the same rows parsed: the copy path may skip parsing, never change a value.
/// </summary>
public sealed class ClickHouseCopyWriterTests
{
    private const ulong Version = 0x1234_5678;

    private static readonly TableSchema s_schema = new(new TableName("public", "grid"), 1, [
        new ColumnSchema("region", "text", 0, IsKey: true, 1),
        new ColumnSchema("n", "bigint", 0, IsKey: true, 2),
        new ColumnSchema("note", "text", 0, IsKey: false, 3),
        new ColumnSchema("amount", "numeric(12,2)", 0, IsKey: false, 4),
        new ColumnSchema("at", "timestamp with time zone", 0, IsKey: false, 5),
        new ColumnSchema("day", "date", 0, IsKey: false, 6),
        new ColumnSchema("ok", "boolean", 0, IsKey: false, 7),
        new ColumnSchema("ratio", "double precision", 0, IsKey: false, 8),
        new ColumnSchema("blob", "bytea", 0, IsKey: false, 9),
        new ColumnSchema("tags", "text[]", 0, IsKey: false, 10),
        new ColumnSchema("grid", "integer[]", 0, IsKey: false, 11),
        new ColumnSchema("u", "uuid", 0, IsKey: false, 12),
    ]);

    // As Postgres' COPY TO writes them: \b \f \n \r \t \v \\ escaped, other control characters raw, NULL as \N.
    private static readonly string[] s_lines =
    [
        @"a\tb	1	tab\tnewline\ncr\rback\\slash\bbell\fform\vvt" + "\u0001raw'quote" + @"	12.50	2024-02-29 12:34:56.123456+00	2024-02-29	t	1.5	\\x00ff	{a,""b c"",NULL,""d\\""e""}	{1,NULL,3}	a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        @"a\tb	2	\N	NaN	2024-02-29 12:34:56.123456+00	infinity	f	NaN	\N	{}	{{1,2},{3,4}}	\N",
        @"ü	3	ünïcödé	NaN	2024-02-29 12:34:56.123456+00	0044-03-15 BC	\N	-Infinity	\\x	\N	[0:1]={1,2}	\N",
        @"z	-4		-0.01	1969-12-31 23:59:59.999999+00	1970-01-01	t	5e-324	\\xdeadbeef	{""""}	{}	\N",
        @"z	5	\\N is text	\N	-infinity	-infinity	f	Infinity	\N	\N	\N	\N",
    ];

    [Fact]
    public void Copied_rows_are_written_exactly_as_the_row_writer_writes_them_parsed()
    {
        var table = Describe();
        var copy = Copy(s_lines);

        var copied = new StringWriter();
        var copyWriter = new ClickHouseCopyWriter(table, Version);
        copyWriter.Write(copied, copy);

        var parsed = new StringWriter();
        var rowWriter = new ClickHouseRowWriter(table, Version, new Dictionary<string, string[]>(), move: null);
        rowWriter.Write(parsed, copy.Expand().Select(c => (c.Values, false)));

        copied.ToString().ShouldBe(parsed.ToString());
        copyWriter.Written.ShouldBe(s_lines.Length);
        copyWriter.Fallbacks.ShouldBe(rowWriter.Fallbacks, ignoreOrder: true);
    }

    [Fact]
    public void A_value_kept_in_its_fallback_part_is_counted_every_time_it_repeats()
    {
        var nan = @"a	1	x	NaN	2024-01-01 00:00:00+00	2024-01-01	t	1	\N	\N	{{1},{2}}	\N";
        var copyWriter = new ClickHouseCopyWriter(Describe(), Version);
        copyWriter.Write(new StringWriter(), Copy([nan, nan.Replace("a\t1", "a\t2", StringComparison.Ordinal), nan.Replace("a\t1", "a\t3", StringComparison.Ordinal)]));

        copyWriter.Fallbacks["amount"].ShouldBe(3);
        copyWriter.Fallbacks["grid"].ShouldBe(3);
    }

    [Fact]
    public void A_line_with_another_number_of_columns_is_refused_naming_the_table()
    {
        var copyWriter = new ClickHouseCopyWriter(Describe(), Version);
        var error = Should.Throw<FormatException>(() => copyWriter.Write(new StringWriter(), Copy(["a\t1\tshort"])));
        error.Message.ShouldContain("public.grid");
        error.Message.ShouldContain("12 columns");
    }

    private static ClickHouseTable Describe() =>
        new("db", "grid", s_schema, [.. s_schema.Columns.Select(c => ClickHouseTypeMapping.Map(c))]);

    private static CopyRows Copy(IReadOnlyList<string> lines) =>
        CopyRows.FromText(s_schema, string.Concat(lines.Select(l => l + "\n")), lines.Count, new Position(0x5000, 1));
}
