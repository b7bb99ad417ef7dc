using System.Net;
using System.Text;
using SentinelSync.Replication;
using SentinelSync.Replication.ClickHouse;
using SentinelSync.Replication.Sinks;

namespace SentinelSync.Tests.ClickHouse;

/// <summary>Converters, type decisions, escaping, version encoding and error classification, without a server.</summary>
public sealed class ClickHouseTextConverterTests
{
    [Theory]
    [InlineData("2000-01-01 00:00:00", 0L)]
    [InlineData("1970-01-01 00:00:00", -946_684_800_000_000L)]
    [InlineData("2000-01-01 05:30:00.25+05:30", 250_000L)]
    [InlineData("2000-01-01 00:00:00-00:00:01", 1_000_000L)]
    [InlineData("2000-01-01 00:00:00.000001", 1L)]
    [InlineData("2000-01-01T00:00:01.5Z", 1_500_000L)]
    [InlineData("2000-01-01T02:00:00+02:00", 0L)]
    [InlineData("0001-01-01 00:00:00 BC", -63_113_904_000_000_000L)]
    [InlineData("infinity", long.MaxValue)]
    [InlineData("-infinity", long.MinValue)]
    public void Timestamps_become_microseconds_since_2000(string text, long expected) =>
        ClickHouseTextConverter.TimestampMicros(text).ShouldBe(expected);

    [Theory]
    [InlineData("2000-01-01", 0)]
    [InlineData("2000-03-01", 60)]
    [InlineData("1999-12-31", -1)]
    [InlineData("infinity", int.MaxValue)]
    public void Dates_become_days_since_2000(string text, int expected) =>
        ClickHouseTextConverter.DateDays(text).ShouldBe(expected);

    [Theory]
    [InlineData("2020-1-01")]
    [InlineData("2020-01-01 12:00")]
    [InlineData("01/02/2020")]
    [InlineData("2000-01-01 00:00:00Z+01")]
    [InlineData("2000-01-01X00:00:00")]
    public void Non_iso_text_is_refused(string text) =>
        Should.Throw<ClickHouseValueException>(() => ClickHouseTextConverter.TimestampMicros(text));

    [Theory]
    [InlineData(ClickHouseConversion.Float, "NaN", "nan")]
    [InlineData(ClickHouseConversion.Float, "-Infinity", "-inf")]
    [InlineData(ClickHouseConversion.Float, "5e-324", "0.5e-323")]
    [InlineData(ClickHouseConversion.Float, "-4.9e-324", "-0.49e-323")]
    [InlineData(ClickHouseConversion.Boolean, "f", "0")]
    [InlineData(ClickHouseConversion.Bytea, "\\xDEADbeef", "deadbeef")]
    [InlineData(ClickHouseConversion.Bytea, "a\\\\\\001", "615c01")]
    [InlineData(ClickHouseConversion.TimestampInRange, "2105-12-31 23:59:59.9", "2105-12-31 23:59:59")]
    [InlineData(ClickHouseConversion.TimestampInRange, "2106-01-01 00:00:00", null)]
    [InlineData(ClickHouseConversion.TimestampInRange, "1969-12-31 23:59:59.999999", null)]
    [InlineData(ClickHouseConversion.DateInRange, "2105-12-31", "2105-12-31")]
    [InlineData(ClickHouseConversion.DateInRange, "2106-01-01", null)]
    public void Scalars_convert_to_clickhouse_text(ClickHouseConversion conversion, string text, string? expected) =>
        ClickHouseTextConverter.ConvertScalar(conversion, text).ShouldBe(expected);

    [Theory]
    [InlineData(ClickHouseConversion.Text, "{\"a\\\\b\",\"it's\",NULL,\"NULL\",\"\"}", "['a\\\\b','it\\'s',NULL,'NULL','']")]
    [InlineData(ClickHouseConversion.Float, "{NaN,-Infinity,1}", "[-nan,-inf,1]")]
    [InlineData(ClickHouseConversion.Number, "{}", "[]")]
    public void Arrays_convert_to_clickhouse_array_literals(ClickHouseConversion element, string text, string expected) =>
        ClickHouseTextConverter.Convert(new ClickHouseColumnPart("a", "Array(Nullable(String))", ClickHouseConversion.Array, element), text).ShouldBe(expected);

    [Theory]
    [InlineData("integer", false, "Nullable(Int32)")]
    [InlineData("integer", true, "Int32")]
    [InlineData("numeric(38,10)", false, "Nullable(Decimal(38, 10))|Nullable(String)")]
    [InlineData("numeric(39,0)", false, "Nullable(String)")]
    [InlineData("numeric", false, "Nullable(String)")]
    [InlineData("numeric(7)", false, "Nullable(Decimal(7, 0))|Nullable(String)")]
    [InlineData("uuid", true, "UUID")]
    [InlineData("character varying(10)", false, "Nullable(String)")]
    [InlineData("mood", false, "Nullable(String)")]
    [InlineData("text[]", false, "Array(Nullable(String))|Nullable(String)")]
    [InlineData("integer[]", true, "String")]
    [InlineData("timestamp(3) with time zone", false, "Nullable(DateTime('UTC'))|Nullable(Int64)")]
    [InlineData("timestamp without time zone", true, "Nullable(DateTime('UTC'))|Int64")]
    [InlineData("date", false, "Nullable(Date)|Nullable(Int32)")]
    public void Types_map_to_clickhouse_parts(string type, bool key, string expected)
    {
        var mapping = ClickHouseTypeMapping.Map(new ColumnSchema("c", type, 0, key));
        string.Join('|', mapping.Parts.Select(p => p.Type)).ShouldBe(expected);
        mapping.Parts.Where(p => p.IsKey).Select(p => p.Type).ShouldAllBe(t => !t.StartsWith("Nullable", StringComparison.Ordinal));
    }

    [Fact]
    public void Escaping_matches_what_clickhouse_prints_and_reads_back()
    {
        var text = "a\tb\nc\\d'e\0f\rg\bh\fi`é";
        var builder = new StringBuilder();
        ClickHouseEscaping.AppendTsv(builder, text);
        builder.ToString().ShouldBe("a\\tb\\nc\\\\d\\'e\\0f\\rg\\bh\\fi`é");
        ClickHouseEscaping.UnescapeTsv(builder.ToString()).ShouldBe(text);
        ClickHouseEscaping.UnescapeTsv("\\N").ShouldBeNull();
        ClickHouseEscaping.Quoted("it's").ShouldBe("'it\\'s'");
        ClickHouseIdentifier.Quote("we`ird\\name").ShouldBe("`we\\`ird\\\\name`");
    }

    [Fact]
    public void Versions_grow_with_positions_and_saturate_the_ordinal()
    {
        ClickHouseVersion.Encode(new Position(1, 0)).ShouldBeLessThan(ClickHouseVersion.Encode(new Position(1, 1)));
        ClickHouseVersion.Encode(new Position(1, 1_000_000)).ShouldBeLessThan(ClickHouseVersion.Encode(new Position(2, 0)));
        ClickHouseVersion.Encode(new Position(1, 1_000_000)).ShouldBe(ClickHouseVersion.Encode(new Position(1, 255)));
        Should.Throw<ClickHouseValueException>(() => ClickHouseVersion.Encode(new Position(ClickHouseVersion.MaxLsn + 1, 0)));
    }

    [Fact]
    public void Errors_are_classified()
    {
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.InternalServerError, 27, "parse")).ShouldBeFalse();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.InternalServerError, 252, "too many parts")).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.ServiceUnavailable, null, "")).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.BadRequest, null, "")).ShouldBeFalse();
        ClickHouseErrorClassifier.IsTransient(new HttpRequestException("refused", new System.Net.Sockets.SocketException())).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new HttpRequestException("copy", new ClickHouseValueException("NaN"))).ShouldBeFalse();
        ClickHouseErrorClassifier.IsTransient(new SinkFencedException("s", new TableName("public", "t"), 1, 2)).ShouldBeFalse();
        ClickHouseErrorClassifier.IsTransient(new OperationCanceledException()).ShouldBeFalse();

        // A refused login or a missing database is wrong for every change: retried, never dead-lettered.
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.Unauthorized, 516, "authentication failed")).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.InternalServerError, 193, "wrong password")).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.Forbidden, null, "")).ShouldBeTrue();
        ClickHouseErrorClassifier.IsTransient(new ClickHouseServerException(HttpStatusCode.InternalServerError, 81, "unknown database")).ShouldBeTrue();
    }

    [Fact]
    public void Options_name_the_offending_key_and_never_show_the_password()
    {
        const string section = "pipelines[0].sinks[1].clickhouse";
        new ClickHouseSinkOptions { Url = "http://x:8123", Database = "a", Password = "hunter2" }.Validate(section).ShouldBeEmpty();
        new ClickHouseSinkOptions { Url = "ftp://x", Database = "a" }.Validate(section).ShouldHaveSingleItem().Key.ShouldBe(section + ".url");
        new ClickHouseSinkOptions { Url = "http://x:8123" }.Validate(section).ShouldHaveSingleItem().Key.ShouldBe(section + ".database");
        new ClickHouseSinkOptions { Url = "http://x:8123", Database = "a", User = "" }.Validate(section).ShouldHaveSingleItem().Key.ShouldBe(section + ".user");
        new ClickHouseSinkOptions { Url = "http://x:8123", Database = "a", RequestTimeout = TimeSpan.Zero }.Validate().ShouldHaveSingleItem().Key.ShouldBe("clickhouse.requestTimeout");

        var credentials = new ClickHouseSinkOptions { Url = "http://u:hunter2@x", Database = "a" }.Validate(section).ShouldHaveSingleItem();
        credentials.Key.ShouldBe(section + ".url");
        credentials.Problem.ShouldContain("credentials");
        credentials.Problem.ShouldNotContain("hunter2");
        new ClickHouseSinkOptions { Url = "ftp://u:hunter2@x/db", Database = "a" }.Validate(section).ShouldHaveSingleItem().Problem.ShouldNotContain("hunter2");

        var thrown = Should.Throw<ArgumentException>(() => new ClickHouseSinkOptions { Url = "ftp://u:hunter2@x", Password = "hunter2" }.ValidateOrThrow());
        thrown.Message.ShouldContain("clickhouse.url");
        thrown.Message.ShouldContain("clickhouse.database");
        thrown.Message.ShouldNotContain("hunter2");

        new ClickHouseSinkOptions { Url = "http://x:8123", Database = "a", Password = "hunter2" }.ToString().ShouldNotContain("hunter2");
        new ClickHouseSinkOptions { Url = "http://u:hunter2@x:8123/", Database = "a" }.ToString().ShouldNotContain("hunter2");
    }
}
