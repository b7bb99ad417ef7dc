using System.Text.Json;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

public sealed class ConnectValuesTests
{
    private static ColumnValue Convert(string value, string schema)
    {
        using var v = JsonDocument.Parse(value);
        using var s = JsonDocument.Parse(schema);
        return ConnectValues.Convert(v.RootElement, s.RootElement);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0xE2, 0x3A }, 2, "1234.50")]
    [InlineData(new byte[] { 0xFB }, 2, "-0.05")]
    [InlineData(new byte[] { 0x00 }, 3, "0.000")]
    [InlineData(new byte[] { 0x7F }, 0, "127")]
    [InlineData(new byte[] { 0x0C }, -2, "1200")]
    public void Connect_decimals_are_written_exactly(byte[] unscaled, int scale, string expected) =>
        ConnectValues.Decimal(unscaled, scale).ShouldBe(expected);

    [Fact]
    public void A_decimal_wider_than_any_float_keeps_every_digit()
    {
        var unscaled = System.Numerics.BigInteger.Parse("123456789012345678901234567890123456789", System.Globalization.CultureInfo.InvariantCulture).ToByteArray(isUnsigned: false, isBigEndian: true);

        ConnectValues.Decimal(unscaled, 10).ShouldBe("12345678901234567890123456789.0123456789");
    }

    [Fact]
    public void Variable_scale_decimal_struct()
    {
        Convert("""{"scale": 3, "value": "AeI6"}""", """{"type": "struct", "name": "io.debezium.data.VariableScaleDecimal"}""").ShouldBe(ColumnValue.Of("123.450"));
    }

    [Theory]
    [InlineData("io.debezium.time.MicroTime", 45000000250L, "12:30:00.00025")]
    [InlineData("io.debezium.time.Time", 45000250L, "12:30:00.25")]
    [InlineData("io.debezium.time.NanoTime", 45000000000001L, "12:30:00.000000001")]
    public void Times_of_day_keep_their_unit(string name, long value, string expected) =>
        Convert(value.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"type": "int64", "name": "{{name}}"}""").ShouldBe(ColumnValue.Of(expected));

    [Theory]
    [InlineData("io.debezium.time.MicroTimestamp", 1709296496789012L, "2024-03-01 12:34:56.789012")]
    [InlineData("io.debezium.time.Timestamp", 0L, "1970-01-01 00:00:00")]
    [InlineData("io.debezium.time.NanoTimestamp", -876543211L, "1969-12-31 23:59:59.123456789")]
    [InlineData("org.apache.kafka.connect.data.Timestamp", -1L, "1969-12-31 23:59:59.999")]
    public void Timestamps_since_the_epoch_are_exact_also_before_it(string name, long value, string expected) =>
        Convert(value.ToString(System.Globalization.CultureInfo.InvariantCulture), $$"""{"type": "int64", "name": "{{name}}"}""").ShouldBe(ColumnValue.Of(expected));

    [Fact]
    public void Bytes_become_bytea_hex_and_arrays_postgres_array_literals()
    {
        Convert("\"3q2+7w==\"", """{"type": "bytes"}""").ShouldBe(ColumnValue.Of(@"\xdeadbeef"));
        Convert("""["a", null, "b\"c"]""", """{"type": "array", "items": {"type": "string"}}""").ShouldBe(ColumnValue.Of("""{"a",NULL,"b\"c"}"""));
        Convert("""["__debezium_unavailable_value"]""", """{"type": "array", "items": {"type": "string"}}""").ShouldBe(ColumnValue.Unchanged);
    }

    [Fact]
    public void Types_of_connect_schemas()
    {
        static string TypeOf(string schema)
        {
            using var s = JsonDocument.Parse(schema);
            return ConnectValues.TypeOf(s.RootElement).Name;
        }

        TypeOf("""{"type": "int16"}""").ShouldBe("smallint");
        TypeOf("""{"type": "float"}""").ShouldBe("real");
        TypeOf("""{"type": "double"}""").ShouldBe("double precision");
        TypeOf("""{"type": "string", "name": "io.debezium.data.Uuid"}""").ShouldBe("uuid");
        TypeOf("""{"type": "string", "name": "io.debezium.data.Json"}""").ShouldBe("jsonb");
        TypeOf("""{"type": "array", "items": {"type": "int32"}}""").ShouldBe("integer[]");
        TypeOf("""{"type": "struct", "fields": []}""").ShouldBe("jsonb");
        TypeOf("""{"type": "bytes", "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "4"}}""").ShouldBe("numeric");
    }
}
