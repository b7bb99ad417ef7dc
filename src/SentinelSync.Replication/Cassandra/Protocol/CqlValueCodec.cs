using System.Buffers.Binary;
using System.Collections;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;

namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// Serializes .NET values to the bytes of a CQL type and back (protocol v3+ collection format). The .NET side of each
/// type: ascii/text string; bigint/counter long; blob byte[]; boolean bool; decimal <see cref="CqlDecimal"/>; double;
/// float; int; smallint short; tinyint sbyte; timestamp DateTimeOffset (milliseconds); uuid/timeuuid Guid; varint
/// BigInteger; inet IPAddress; date DateOnly; time <see cref="CqlTime"/>; duration <see cref="CqlDuration"/>; list
/// and set any IEnumerable (decoded as List&lt;object?&gt;); map IDictionary or pairs (decoded as
/// List&lt;KeyValuePair&lt;object?, object?&gt;&gt; in wire order); UDT IReadOnlyDictionary&lt;string, object?&gt;
/// by field name; tuple object?[].
/// </summary>
public static class CqlValueCodec
{
    private const uint DateEpochOffset = 1u << 31;

    /// <summary>The bytes of <paramref name="value"/> as <paramref name="type"/>; null for a null value.</summary>
    public static byte[]? Encode(CqlType type, object? value)
    {
        if (value is null)
        {
            return null;
        }

        var writer = new CqlWriter();
        EncodeInto(writer, type, value);
        return writer.ToArray();
    }

    /// <summary>The value <paramref name="bytes"/> holds as <paramref name="type"/>; null for a null (absent) value.</summary>
    public static object? Decode(CqlType type, ReadOnlyMemory<byte>? bytes) => bytes is { } b ? DecodeValue(type, b) : null;

    private static void EncodeInto(CqlWriter writer, CqlType type, object value)
    {
        switch (type.Code)
        {
            case CqlTypeCode.Ascii:
                {
                    var text = As<string>(type, value);
                    if (!Ascii.IsValid(text))
                    {
                        throw new CqlValueException($"CQL ascii takes ASCII characters only, not '{text}'");
                    }

                    writer.WriteRaw(Encoding.ASCII.GetBytes(text));
                    break;
                }

            case CqlTypeCode.Varchar:
                writer.WriteRaw(Encoding.UTF8.GetBytes(As<string>(type, value)));
                break;
            case CqlTypeCode.Bigint or CqlTypeCode.Counter:
                writer.WriteLong(As<long>(type, value));
                break;
            case CqlTypeCode.Blob:
                writer.WriteRaw(value is ReadOnlyMemory<byte> memory ? memory.Span : As<byte[]>(type, value));
                break;
            case CqlTypeCode.Boolean:
                writer.WriteByte(As<bool>(type, value) ? (byte)1 : (byte)0);
                break;
            case CqlTypeCode.Decimal:
                {
                    var number = As<CqlDecimal>(type, value);
                    writer.WriteInt(number.Scale);
                    writer.WriteRaw(number.Unscaled.ToByteArray(isUnsigned: false, isBigEndian: true));
                    break;
                }

            case CqlTypeCode.Double:
                {
                    // NaN as Java's Double.doubleToLongBits writes it (0x7ff8...), not .NET's negative quiet NaN.
                    var number = As<double>(type, value);
                    writer.WriteLong(double.IsNaN(number) ? 0x7FF8000000000000L : BitConverter.DoubleToInt64Bits(number));
                    break;
                }

            case CqlTypeCode.Float:
                {
                    var number = As<float>(type, value);
                    writer.WriteInt(float.IsNaN(number) ? 0x7FC00000 : BitConverter.SingleToInt32Bits(number));
                    break;
                }

            case CqlTypeCode.Int:
                writer.WriteInt(As<int>(type, value));
                break;
            case CqlTypeCode.Smallint:
                writer.WriteShort((ushort)As<short>(type, value));
                break;
            case CqlTypeCode.Tinyint:
                writer.WriteByte((byte)As<sbyte>(type, value));
                break;
            case CqlTypeCode.Timestamp:
                writer.WriteLong(As<DateTimeOffset>(type, value).ToUnixTimeMilliseconds());
                break;
            case CqlTypeCode.Uuid or CqlTypeCode.Timeuuid:
                writer.WriteRaw(As<Guid>(type, value).ToByteArray(bigEndian: true));
                break;
            case CqlTypeCode.Varint:
                writer.WriteRaw(As<BigInteger>(type, value).ToByteArray(isUnsigned: false, isBigEndian: true));
                break;
            case CqlTypeCode.Inet:
                writer.WriteRaw(As<IPAddress>(type, value).GetAddressBytes());
                break;
            case CqlTypeCode.Date:
                writer.WriteInt((int)(DateEpochOffset + (uint)As<DateOnly>(type, value).DayNumber - (uint)DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber));
                break;
            case CqlTypeCode.Time:
                {
                    var nanoseconds = value is TimeOnly time ? CqlTime.FromTimeOnly(time).Nanoseconds : As<CqlTime>(type, value).Nanoseconds;
                    if (nanoseconds is < 0 or >= CqlTime.NanosecondsPerDay)
                    {
                        throw new CqlValueException($"CQL time is 0 to 86399999999999 nanoseconds after midnight, not {nanoseconds}");
                    }

                    writer.WriteLong(nanoseconds);
                    break;
                }

            case CqlTypeCode.Duration:
                {
                    var duration = As<CqlDuration>(type, value);
                    CqlVInt.WriteSigned(writer, duration.Months);
                    CqlVInt.WriteSigned(writer, duration.Days);
                    CqlVInt.WriteSigned(writer, duration.Nanoseconds);
                    break;
                }

            case CqlTypeCode.List or CqlTypeCode.Set:
                WriteElements(writer, type, [.. Enumerate(type, value)], type.Elements[0]);
                break;
            case CqlTypeCode.Map:
                {
                    var entries = MapEntries(type, value);
                    writer.WriteInt(entries.Count);
                    foreach (var (key, item) in entries)
                    {
                        writer.WriteValue(CqlValue.Of(Encode(type.Elements[0], key ?? throw NullElement(type))));
                        writer.WriteValue(CqlValue.Of(Encode(type.Elements[1], item ?? throw NullElement(type))));
                    }

                    break;
                }

            case CqlTypeCode.Tuple:
                {
                    var components = As<object?[]>(type, value);
                    if (components.Length != type.Elements.Count)
                    {
                        throw new CqlValueException($"CQL {type.ToCql()} has {type.Elements.Count} components, the value has {components.Length}");
                    }

                    for (var i = 0; i < components.Length; i++)
                    {
                        writer.WriteValue(CqlValue.Of(Encode(type.Elements[i], components[i])));
                    }

                    break;
                }

            case CqlTypeCode.Udt:
                {
                    var fields = As<IReadOnlyDictionary<string, object?>>(type, value);
                    foreach (var key in fields.Keys.Where(k => type.UdtFields.All(f => f.Name != k)))
                    {
                        throw new CqlValueException($"CQL type {type.UdtName} has no field '{key}'");
                    }

                    foreach (var (name, fieldType) in type.UdtFields)
                    {
                        writer.WriteValue(CqlValue.Of(Encode(fieldType, fields.GetValueOrDefault(name))));
                    }

                    break;
                }

            default:
                throw new CqlValueException($"CQL type {type.ToCql()} cannot be written by this client");
        }
    }

    private static void WriteElements(CqlWriter writer, CqlType type, List<object?> elements, CqlType elementType)
    {
        writer.WriteInt(elements.Count);
        foreach (var element in elements)
        {
            writer.WriteValue(CqlValue.Of(Encode(elementType, element ?? throw NullElement(type))));
        }
    }

    private static CqlValueException NullElement(CqlType type) =>
        new($"a CQL {type.ToCql()} cannot hold null elements (Cassandra rejects them)");

    private static IEnumerable<object?> Enumerate(CqlType type, object value) =>
        value is IEnumerable items and not string and not byte[]
            ? items.Cast<object?>()
            : throw new CqlValueException($"CQL {type.ToCql()} takes a sequence, not {value.GetType().Name}");

    private static List<KeyValuePair<object?, object?>> MapEntries(CqlType type, object value)
    {
        if (value is IDictionary dictionary)
        {
            return [.. dictionary.Cast<DictionaryEntry>().Select(e => new KeyValuePair<object?, object?>(e.Key, e.Value))];
        }

        if (value is IEnumerable<KeyValuePair<object?, object?>> pairs)
        {
            return [.. pairs];
        }

        throw new CqlValueException($"CQL {type.ToCql()} takes a dictionary or key/value pairs, not {value.GetType().Name}");
    }

    private static T As<T>(CqlType type, object value) =>
        value is T typed ? typed : throw new CqlValueException($"CQL {type.ToCql()} takes {typeof(T).Name}, not {value.GetType().Name} ({value})");

    private static object DecodeValue(CqlType type, ReadOnlyMemory<byte> memory)
    {
        var bytes = memory.Span;
        return type.Code switch
        {
            CqlTypeCode.Ascii => Encoding.ASCII.GetString(bytes),
            CqlTypeCode.Varchar => Encoding.UTF8.GetString(bytes),
            CqlTypeCode.Bigint or CqlTypeCode.Counter => BinaryPrimitives.ReadInt64BigEndian(Exactly(type, bytes, 8)),
            CqlTypeCode.Blob => bytes.ToArray(),
            CqlTypeCode.Boolean => Exactly(type, bytes, 1)[0] != 0,
            CqlTypeCode.Decimal => new CqlDecimal(new BigInteger(AtLeast(type, bytes, 5)[4..], isUnsigned: false, isBigEndian: true), BinaryPrimitives.ReadInt32BigEndian(bytes)),
            CqlTypeCode.Double => BinaryPrimitives.ReadDoubleBigEndian(Exactly(type, bytes, 8)),
            CqlTypeCode.Float => BinaryPrimitives.ReadSingleBigEndian(Exactly(type, bytes, 4)),
            CqlTypeCode.Int => BinaryPrimitives.ReadInt32BigEndian(Exactly(type, bytes, 4)),
            CqlTypeCode.Smallint => BinaryPrimitives.ReadInt16BigEndian(Exactly(type, bytes, 2)),
            CqlTypeCode.Tinyint => (sbyte)Exactly(type, bytes, 1)[0],
            CqlTypeCode.Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(Exactly(type, bytes, 8))),
            CqlTypeCode.Uuid or CqlTypeCode.Timeuuid => new Guid(Exactly(type, bytes, 16), bigEndian: true),
            CqlTypeCode.Varint => new BigInteger(AtLeast(type, bytes, 1), isUnsigned: false, isBigEndian: true),
            CqlTypeCode.Inet => bytes.Length is 4 or 16 ? new IPAddress(bytes) : throw Malformed(type, bytes.Length),
            CqlTypeCode.Date => DateOnly.FromDayNumber(checked((int)((long)BinaryPrimitives.ReadUInt32BigEndian(Exactly(type, bytes, 4)) - DateEpochOffset + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber))),
            CqlTypeCode.Time => new CqlTime(BinaryPrimitives.ReadInt64BigEndian(Exactly(type, bytes, 8))),
            CqlTypeCode.Duration => DecodeDuration(bytes),
            CqlTypeCode.List or CqlTypeCode.Set => DecodeElements(type, memory),
            CqlTypeCode.Map => DecodeMap(type, memory),
            CqlTypeCode.Tuple => DecodeTuple(type, memory),
            CqlTypeCode.Udt => DecodeUdt(type, memory),
            _ => bytes.ToArray(),
        };
    }

    private static CqlDuration DecodeDuration(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        var months = CqlVInt.ReadSigned(bytes, ref offset);
        var days = CqlVInt.ReadSigned(bytes, ref offset);
        var nanoseconds = CqlVInt.ReadSigned(bytes, ref offset);
        return new CqlDuration(checked((int)months), checked((int)days), nanoseconds);
    }

    private static List<object?> DecodeElements(CqlType type, ReadOnlyMemory<byte> memory)
    {
        var reader = new CqlReader(memory);
        var count = reader.ReadInt();
        var list = new List<object?>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            list.Add(Decode(type.Elements[0], reader.ReadBytesMemory()));
        }

        return list;
    }

    private static List<KeyValuePair<object?, object?>> DecodeMap(CqlType type, ReadOnlyMemory<byte> memory)
    {
        var reader = new CqlReader(memory);
        var count = reader.ReadInt();
        var entries = new List<KeyValuePair<object?, object?>>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            var key = Decode(type.Elements[0], reader.ReadBytesMemory());
            entries.Add(new(key, Decode(type.Elements[1], reader.ReadBytesMemory())));
        }

        return entries;
    }

    private static object?[] DecodeTuple(CqlType type, ReadOnlyMemory<byte> memory)
    {
        var reader = new CqlReader(memory);
        var components = new object?[type.Elements.Count];
        for (var i = 0; i < components.Length && reader.Remaining > 0; i++)
        {
            components[i] = Decode(type.Elements[i], reader.ReadBytesMemory());
        }

        return components;
    }

    /// <summary>Fields in declaration order; trailing fields a shorter value leaves out are null (the type grew since).</summary>
    private static Dictionary<string, object?> DecodeUdt(CqlType type, ReadOnlyMemory<byte> memory)
    {
        var reader = new CqlReader(memory);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, fieldType) in type.UdtFields)
        {
            fields[name] = reader.Remaining > 0 ? Decode(fieldType, reader.ReadBytesMemory()) : null;
        }

        return fields;
    }

    private static ReadOnlySpan<byte> Exactly(CqlType type, ReadOnlySpan<byte> bytes, int length) =>
        bytes.Length == length ? bytes : throw Malformed(type, bytes.Length);

    private static ReadOnlySpan<byte> AtLeast(CqlType type, ReadOnlySpan<byte> bytes, int length) =>
        bytes.Length >= length ? bytes : throw Malformed(type, bytes.Length);

    private static CqlProtocolException Malformed(CqlType type, int length) => new($"a CQL {type.ToCql()} value of {length} bytes");
}
