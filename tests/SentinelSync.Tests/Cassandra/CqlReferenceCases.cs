using System.Net;
using System.Numerics;
using SentinelSync.Replication.Cassandra.Protocol;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// The values of node/type-cases.js as .NET literals, one case per CQL type. Both sides are written by hand from the
/// same literal text; the driver's bytes are the judge.
/// </summary>
public static class CqlReferenceCases
{
    private static readonly CqlType _address = CqlType.Udt("ks", "address", ("street", CqlType.Varchar), ("zip", CqlType.Int), ("tags", CqlType.ListOf(CqlType.Varchar)));

    public static IReadOnlyDictionary<string, (CqlType Type, object?[] Values)> Types { get; } = new Dictionary<string, (CqlType, object?[])>
    {
        ["ascii"] = (CqlType.Ascii, ["hello", "", "~!"]),
        ["bigint"] = (CqlType.Bigint, [long.MinValue, long.MaxValue, 0L, -1L]),
        ["blob"] = (CqlType.Blob, [Convert.FromHexString("00ff10807f"), Array.Empty<byte>()]),
        ["boolean"] = (CqlType.Boolean, [true, false]),
        ["counter"] = (CqlType.Counter, [123456789012L]),
        ["decimal"] = (CqlType.Decimal, [.. new[] { "-12345678901234567890.0123456789", "0", "0.001", "100", "123.4500", "-1", "-128", "255" }.Select(s => (object?)CqlDecimal.Parse(s))]),
        ["double"] = (CqlType.Double, [Math.PI, -0.5, 1e308, double.NegativeInfinity, 0.0, double.NaN]),
        ["float"] = (CqlType.Float, [1.5f, -3.25f, float.MaxValue, float.PositiveInfinity, float.NaN]),
        ["int"] = (CqlType.Int, [int.MinValue, 0, int.MaxValue, 42]),
        ["timestamp"] = (CqlType.Timestamp, [new DateTimeOffset(2024, 2, 29, 13, 45, 30, 123, TimeSpan.Zero), new DateTimeOffset(1969, 12, 31, 23, 59, 59, 999, TimeSpan.Zero), DateTimeOffset.UnixEpoch]),
        ["uuid"] = (CqlType.Uuid, [Guid.Parse("550e8400-e29b-41d4-a716-446655440000"), Guid.Empty]),
        ["varchar"] = (CqlType.Varchar, ["héllo wörld ✓ 𝄞", "", "quote ' \"double\""]),
        ["varint"] = (CqlType.Varint, [.. new[] { "-123456789012345678901234567890", "0", "127", "128", "-128", "-129", "255", "-1", "32768" }.Select(s => (object?)BigInteger.Parse(s, System.Globalization.CultureInfo.InvariantCulture))]),
        ["timeuuid"] = (CqlType.Timeuuid, [Guid.Parse("d0b1c8e0-7f26-11ee-b962-0242ac120002")]),
        ["inet"] = (CqlType.Inet, [IPAddress.Parse("192.168.0.1"), IPAddress.Parse("::1"), IPAddress.Parse("2001:db8::ff00:42:8329"), IPAddress.Parse("0.0.0.0")]),
        ["date"] = (CqlType.Date, [new DateOnly(2024, 2, 29), new DateOnly(1969, 12, 31), new DateOnly(1970, 1, 1), new DateOnly(1, 1, 1), new DateOnly(9999, 12, 31)]),
        ["time"] = (CqlType.Time, [new CqlTime((13 * 3600L + 45 * 60 + 30) * 1_000_000_000L + 123_456_789), new CqlTime(0), new CqlTime(CqlTime.NanosecondsPerDay - 1)]),
        ["smallint"] = (CqlType.Smallint, [short.MinValue, short.MaxValue, (short)0]),
        ["tinyint"] = (CqlType.Tinyint, [sbyte.MinValue, sbyte.MaxValue, (sbyte)0]),
        ["duration"] = (CqlType.Duration, [new CqlDuration(1, 2, 3_000_000_000), new CqlDuration(-1, -2, -3), new CqlDuration(0, 0, long.MaxValue), new CqlDuration(14, 0, 0)]),
        ["list_int"] = (CqlType.ListOf(CqlType.Int), [new List<object?> { 1, 2, 3 }, new List<object?> { -7 }]),
        ["list_empty"] = (CqlType.ListOf(CqlType.Int), [new List<object?>()]),
        ["set_text"] = (CqlType.SetOf(CqlType.Varchar), [new List<object?> { "a", "b", "ç" }]),
        ["map_text_bigint"] = (CqlType.MapOf(CqlType.Varchar, CqlType.Bigint), [Pairs(("one", 1L), ("two", -2L)), Pairs()]),
        ["map_int_list_text"] = (CqlType.MapOf(CqlType.Int, CqlType.ListOf(CqlType.Varchar)), [Pairs((1, new List<object?> { "x", "y" }), (2, new List<object?> { "z" }))]),
        ["udt_address"] = (_address, [Fields(("street", "Main St"), ("zip", 12345), ("tags", new List<object?> { "home" })), Fields(("street", "Side"), ("zip", null), ("tags", null))]),
        ["tuple_int_text_boolean"] = (CqlType.TupleOf(CqlType.Int, CqlType.Varchar, CqlType.Boolean), [new object?[] { 1, "x", true }, new object?[] { null, "y", false }]),
    };

    /// <summary>Cases sent byte-identically; <c>list_empty</c> is the one stated difference (see CqlRequestBytesTests).</summary>
    public static TheoryData<string> TypeNames() => [.. Types.Keys.Where(k => k != "list_empty")];

    private static List<KeyValuePair<object?, object?>> Pairs(params (object Key, object Value)[] entries) =>
        [.. entries.Select(e => new KeyValuePair<object?, object?>(e.Key, e.Value))];

    private static Dictionary<string, object?> Fields(params (string Name, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value);
}
