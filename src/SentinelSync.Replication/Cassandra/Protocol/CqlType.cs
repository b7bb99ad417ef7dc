namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// A CQL type as result metadata describes it: a code, plus element types for collections and tuples, and the
/// keyspace, name and fields of a user-defined type.
/// </summary>
public sealed record CqlType
{
    /// <summary>Protocol v1's id of text, since folded into varchar; some drivers and proxies still send it.</summary>
    private const ushort TextV1 = 0x000A;

    private CqlType(CqlTypeCode code)
    {
        Code = code;
    }

    public CqlTypeCode Code { get; }

    /// <summary>Element types: list/set one, map key and value, tuple each component.</summary>
    public IReadOnlyList<CqlType> Elements { get; private init; } = [];

    /// <summary>The Java class name of a custom type.</summary>
    public string? CustomClass { get; private init; }

    public string? UdtKeyspace { get; private init; }

    public string? UdtName { get; private init; }

    public IReadOnlyList<(string Name, CqlType Type)> UdtFields { get; private init; } = [];

    public static CqlType Ascii { get; } = new(CqlTypeCode.Ascii);
    public static CqlType Bigint { get; } = new(CqlTypeCode.Bigint);
    public static CqlType Blob { get; } = new(CqlTypeCode.Blob);
    public static CqlType Boolean { get; } = new(CqlTypeCode.Boolean);
    public static CqlType Counter { get; } = new(CqlTypeCode.Counter);
    public static CqlType Decimal { get; } = new(CqlTypeCode.Decimal);
    public static CqlType Double { get; } = new(CqlTypeCode.Double);
    public static CqlType Float { get; } = new(CqlTypeCode.Float);
    public static CqlType Int { get; } = new(CqlTypeCode.Int);
    public static CqlType Timestamp { get; } = new(CqlTypeCode.Timestamp);
    public static CqlType Uuid { get; } = new(CqlTypeCode.Uuid);
    public static CqlType Varchar { get; } = new(CqlTypeCode.Varchar);
    public static CqlType Varint { get; } = new(CqlTypeCode.Varint);
    public static CqlType Timeuuid { get; } = new(CqlTypeCode.Timeuuid);
    public static CqlType Inet { get; } = new(CqlTypeCode.Inet);
    public static CqlType Date { get; } = new(CqlTypeCode.Date);
    public static CqlType Time { get; } = new(CqlTypeCode.Time);
    public static CqlType Smallint { get; } = new(CqlTypeCode.Smallint);
    public static CqlType Tinyint { get; } = new(CqlTypeCode.Tinyint);
    public static CqlType Duration { get; } = new(CqlTypeCode.Duration);

    public static CqlType ListOf(CqlType element) => new(CqlTypeCode.List) { Elements = [element] };

    public static CqlType SetOf(CqlType element) => new(CqlTypeCode.Set) { Elements = [element] };

    public static CqlType MapOf(CqlType key, CqlType value) => new(CqlTypeCode.Map) { Elements = [key, value] };

    public static CqlType TupleOf(params CqlType[] components) => new(CqlTypeCode.Tuple) { Elements = components };

    public static CqlType Udt(string keyspace, string name, params (string Name, CqlType Type)[] fields) =>
        new(CqlTypeCode.Udt) { UdtKeyspace = keyspace, UdtName = name, UdtFields = fields };

    public static CqlType Custom(string className) => new(CqlTypeCode.Custom) { CustomClass = className };

    /// <summary>Reads an [option] type description (recursive for collections, UDTs and tuples).</summary>
    public static CqlType Read(CqlReader reader)
    {
        var code = (CqlTypeCode)reader.ReadShort();
        if ((ushort)code == TextV1)
        {
            return Varchar;
        }

        switch (code)
        {
            case CqlTypeCode.Custom:
                return Custom(reader.ReadString());
            case CqlTypeCode.List:
                return ListOf(Read(reader));
            case CqlTypeCode.Set:
                return SetOf(Read(reader));
            case CqlTypeCode.Map:
                return MapOf(Read(reader), Read(reader));
            case CqlTypeCode.Udt:
                {
                    var keyspace = reader.ReadString();
                    var name = reader.ReadString();
                    var fields = new (string, CqlType)[reader.ReadShort()];
                    for (var i = 0; i < fields.Length; i++)
                    {
                        fields[i] = (reader.ReadString(), Read(reader));
                    }

                    return Udt(keyspace, name, fields);
                }

            case CqlTypeCode.Tuple:
                {
                    var components = new CqlType[reader.ReadShort()];
                    for (var i = 0; i < components.Length; i++)
                    {
                        components[i] = Read(reader);
                    }

                    return TupleOf(components);
                }

            default:
                return Enum.IsDefined(code) ? new CqlType(code) : throw new CqlProtocolException($"unknown CQL type id 0x{(ushort)code:x4}");
        }
    }

    /// <summary>Writes the [option] description (as a server does in metadata).</summary>
    public void Write(CqlWriter writer)
    {
        writer.WriteShort((ushort)Code);
        switch (Code)
        {
            case CqlTypeCode.Custom:
                writer.WriteString(CustomClass!);
                break;
            case CqlTypeCode.Udt:
                writer.WriteString(UdtKeyspace!);
                writer.WriteString(UdtName!);
                writer.WriteShort((ushort)UdtFields.Count);
                foreach (var (name, type) in UdtFields)
                {
                    writer.WriteString(name);
                    type.Write(writer);
                }

                break;
            case CqlTypeCode.Tuple:
                writer.WriteShort((ushort)Elements.Count);
                foreach (var element in Elements)
                {
                    element.Write(writer);
                }

                break;
            default:
                foreach (var element in Elements)
                {
                    element.Write(writer);
                }

                break;
        }
    }

    /// <summary>The type as CQL spells it in DDL (<c>map&lt;text, frozen&lt;list&lt;int&gt;&gt;&gt;</c>); nested collections are frozen.</summary>
    public string ToCql() => ToCql(nested: false);

    public bool Equals(CqlType? other) =>
        other is not null && Code == other.Code && CustomClass == other.CustomClass && UdtKeyspace == other.UdtKeyspace
        && UdtName == other.UdtName && Elements.SequenceEqual(other.Elements) && UdtFields.SequenceEqual(other.UdtFields);

    public override int GetHashCode() => HashCode.Combine(Code, Elements.Count, UdtName);

    public override string ToString() => ToCql();

    private string ToCql(bool nested)
    {
        var text = Code switch
        {
            CqlTypeCode.List => $"list<{Elements[0].ToCql(true)}>",
            CqlTypeCode.Set => $"set<{Elements[0].ToCql(true)}>",
            CqlTypeCode.Map => $"map<{Elements[0].ToCql(true)}, {Elements[1].ToCql(true)}>",
            CqlTypeCode.Tuple => $"tuple<{string.Join(", ", Elements.Select(e => e.ToCql(true)))}>",
            CqlTypeCode.Udt => CqlIdentifier.Quote(UdtName!),
            CqlTypeCode.Custom => $"'{CustomClass}'",
            CqlTypeCode.Varchar => "text",
            _ => Code.ToString().ToLowerInvariant(),
        };
        var freezes = nested && Code is CqlTypeCode.List or CqlTypeCode.Set or CqlTypeCode.Map or CqlTypeCode.Udt;
        return freezes ? $"frozen<{text}>" : text;
    }
}
