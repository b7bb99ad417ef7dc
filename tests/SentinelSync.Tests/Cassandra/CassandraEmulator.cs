using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using SentinelSync.Replication.Cassandra;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// A single-node stand-in for Cassandra, enough to run the sink's whole flow over real TCP with our client: it keeps
/// the tables the sink creates (CREATE TABLE, ALTER TABLE ADD, system_schema.columns), applies INSERT/DELETE/TRUNCATE
/// with last-write-wins per cell by USING TIMESTAMP (row tombstones included), executes BATCHes, and answers the
/// offset statements with lightweight-transaction results (<c>[applied]</c>). It is not Cassandra: it proves that the
/// sink's statements, bound values and conditional writes fit together, not Cassandra's semantics.
/// </summary>
public sealed partial class CassandraEmulator : IAsyncDisposable
{
    private readonly FakeCqlNode _node;
    private readonly string _keyspace;
    private readonly Dictionary<string, EmulatedTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Query, (string Name, CqlType Type)[] Variables)> _prepared = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Sink, string Source), long[]> _offsets = [];
    private readonly Lock _lock = new();

    public CassandraEmulator(string keyspace)
    {
        _keyspace = keyspace;
        _node = new FakeCqlNode(IPAddress.Loopback, 0, "dc1", [0]) { Handler = HandleAsync };
    }

    public string ContactPoint => $"127.0.0.1:{_node.Port}";

    /// <summary>Every USING TIMESTAMP value written, in arrival order.</summary>
    public List<long> Timestamps { get; } = [];

    public int Batches { get; private set; }

    /// <summary>The live rows of a table: column name → value, decoded.</summary>
    public List<Dictionary<string, object?>> Rows(string table)
    {
        lock (_lock)
        {
            var t = _tables[$"{_keyspace}.{table}"];
            return [.. t.Rows.Values.Select(r => r.Live(t)).Where(r => r is not null).Select(r => r!)];
        }
    }

    /// <summary>The partition key and clustering columns a table was created with.</summary>
    public (List<string> Partition, List<string> Clustering) KeyOf(string table)
    {
        lock (_lock)
        {
            var t = _tables[$"{_keyspace}.{table}"];
            return ([.. t.Key.Take(t.PartitionKeyCount)], [.. t.Key.Skip(t.PartitionKeyCount)]);
        }
    }

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    private Task HandleAsync(CqlFrameHeader header, byte[] body, Func<byte[], Task> reply)
    {
        byte[] answer;
        try
        {
            lock (_lock)
            {
                answer = header.Opcode switch
                {
                    CqlOpcode.Query => Query(header.StreamId, new CqlReader(body)),
                    CqlOpcode.Prepare => Prepare(header.StreamId, new CqlReader(body).ReadLongString()),
                    CqlOpcode.Execute => Execute(header.StreamId, new CqlReader(body)),
                    CqlOpcode.Batch => Batch(header.StreamId, new CqlReader(body)),
                    _ => CqlResponseFrames.Void(header.StreamId),
                };
            }
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            answer = CqlResponseFrames.Error(header.StreamId, CqlErrorCode.Invalid, e.Message);
        }

        return reply(answer);
    }

    private byte[] Query(short stream, CqlReader reader)
    {
        var cql = reader.ReadLongString();
        var values = ReadParameters(reader);
        if (CreateTable().Match(cql) is { Success: true } create)
        {
            var name = Unquote(create.Groups["table"].Value);
            if (!_tables.ContainsKey(name))
            {
                var definitions = create.Groups["columns"].Value;
                var keyMatch = KeyList().Match(definitions);
                var partition = keyMatch.Groups["partition"].Value.Split(',').Select(k => Unquote(k.Trim())).ToList();
                var clustering = keyMatch.Groups["clustering"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k => Unquote(k.Trim())).ToList();
                var columns = ColumnDefinition().Matches(definitions[..definitions.IndexOf("PRIMARY KEY", StringComparison.Ordinal)])
                    .Select(m => (Unquote(m.Groups["name"].Value), m.Groups["type"].Value.Trim())).ToList();
                _tables[name] = new EmulatedTable(columns, [.. partition, .. clustering]) { PartitionKeyCount = partition.Count };
            }
        }
        else if (AlterAdd().Match(cql) is { Success: true } alter)
        {
            _tables[Unquote(alter.Groups["table"].Value)].Columns.Add((Unquote(alter.Groups["column"].Value), alter.Groups["type"].Value.Trim()));
        }
        else if (cql.StartsWith("TRUNCATE ", StringComparison.Ordinal))
        {
            _tables[Unquote(cql["TRUNCATE ".Length..])].Rows.Clear();
        }
        else if (cql == CassandraStatements.ExistingColumns)
        {
            var table = $"{Text(values[0])}.{Text(values[1])}";
            var rows = _tables.TryGetValue(table, out var t) ? t.Columns.Select(c => new object?[] { c.Name, c.Type, t.KindOf(c.Name), t.PositionOf(c.Name) }).ToArray() : [];
            return CqlResponseFrames.Rows(stream, [("column_name", CqlType.Varchar), ("type", CqlType.Varchar), ("kind", CqlType.Varchar), ("position", CqlType.Int)], rows);
        }
        else if (CountRows().Match(cql) is { Success: true } count)
        {
            return _tables.TryGetValue(Unquote(count.Groups["table"].Value), out var counted)
                ? CqlResponseFrames.Rows(stream, [("count", CqlType.Bigint)], [(long)counted.Rows.Values.Count(r => r.Live(counted) is not null)])
                : CqlResponseFrames.Error(stream, CqlErrorCode.Invalid, $"table {count.Groups["table"].Value} does not exist");
        }
        else if (cql.StartsWith("SELECT schema_version", StringComparison.Ordinal))
        {
            return cql.Contains("system.local", StringComparison.Ordinal)
                ? CqlResponseFrames.Rows(stream, [("schema_version", CqlType.Uuid)], [Guid.Empty])
                : CqlResponseFrames.Rows(stream, [("schema_version", CqlType.Uuid)]);
        }

        return CqlResponseFrames.Void(stream);
    }

    private byte[] Prepare(short stream, string cql)
    {
        (string, CqlType)[] variables;
        var offsetKey = new (string, CqlType)[] { ("sink", CqlType.Varchar), ("source_table", CqlType.Varchar) };
        if (cql == CassandraStatements.SelectOffset(_keyspace))
        {
            variables = offsetKey;
        }
        else if (cql == CassandraStatements.InsertOffset(_keyspace))
        {
            variables = [.. offsetKey, ("epoch", CqlType.Bigint)];
        }
        else if (cql == CassandraStatements.ReserveTimestamps(_keyspace))
        {
            variables = [("reserved_timestamp", CqlType.Bigint), ("epoch", CqlType.Bigint), .. offsetKey, ("epoch", CqlType.Bigint), ("reserved_timestamp", CqlType.Bigint)];
        }
        else if (cql == CassandraStatements.UpdateOffset(_keyspace))
        {
            variables = [("lsn", CqlType.Bigint), ("ordinal", CqlType.Bigint), ("epoch", CqlType.Bigint), .. offsetKey, ("epoch", CqlType.Bigint)];
        }
        else if (Insert().Match(cql) is { Success: true } insert)
        {
            var table = _tables[Unquote(insert.Groups["table"].Value)];
            variables = [.. insert.Groups["columns"].Value.Split(", ").Select(c => table.Column(Unquote(c))), ("[timestamp]", CqlType.Bigint)];
        }
        else if (Delete().Match(cql) is { Success: true } delete)
        {
            var table = _tables[Unquote(delete.Groups["table"].Value)];
            variables = [("[timestamp]", CqlType.Bigint), .. table.Key.Select(table.Column)];
        }
        else if (SelectRow().Match(cql) is { Success: true } select)
        {
            var table = _tables[Unquote(select.Groups["table"].Value)];
            variables = [.. table.Key.Select(table.Column)];
        }
        else
        {
            throw new InvalidOperationException($"the emulator cannot prepare: {cql}");
        }

        var id = Encoding.UTF8.GetBytes(_prepared.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _prepared[Convert.ToHexString(id)] = (cql, variables);
        return CqlResponseFrames.Prepared(stream, id, variables);
    }

    private byte[] Execute(short stream, CqlReader reader)
    {
        var id = Convert.ToHexString(reader.ReadShortBytes());
        return Run(stream, id, ReadParameters(reader));
    }

    private byte[] Batch(short stream, CqlReader reader)
    {
        reader.ReadByte();
        var count = reader.ReadShort();
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadByte() != 1)
            {
                throw new InvalidOperationException("the sink batches prepared statements only");
            }

            var id = Convert.ToHexString(reader.ReadShortBytes());
            var values = new List<byte[]?>();
            var n = reader.ReadShort();
            for (var v = 0; v < n; v++)
            {
                values.Add(ReadValue(reader));
            }

            Run(stream, id, values);
        }

        Batches++;
        return CqlResponseFrames.Void(stream);
    }

    private byte[] Run(short stream, string id, List<byte[]?> values)
    {
        var (cql, variables) = _prepared[id];
        object? Value(int i) => values[i] is { } bytes && !ReferenceEquals(bytes, Unset) ? CqlValueCodec.Decode(variables[i].Type, bytes) : null;
        if (cql.Contains(CassandraStatements.OffsetsTable, StringComparison.Ordinal))
        {
            return Offsets(stream, cql, Value);
        }

        if (Insert().Match(cql) is { Success: true } insert)
        {
            var table = _tables[Unquote(insert.Groups["table"].Value)];
            var timestamp = (long)Value(values.Count - 1)!;
            Timestamps.Add(timestamp);
            var row = table.Row(table.Key.Select(k => values[variables.ToList().FindIndex(v => v.Name == k)]!));
            row.Marker = Math.Max(row.Marker, timestamp);
            for (var i = 0; i < variables.Length - 1; i++)
            {
                if (!ReferenceEquals(values[i], Unset) && !table.Key.Contains(variables[i].Name))
                {
                    row.Write(variables[i].Name, values[i], timestamp);
                }
            }

            return CqlResponseFrames.Void(stream);
        }

        if (Delete().Match(cql) is { Success: true } delete)
        {
            var table = _tables[Unquote(delete.Groups["table"].Value)];
            var timestamp = (long)Value(0)!;
            Timestamps.Add(timestamp);
            var row = table.Row(values.Skip(1).Select(v => v!));
            row.Tombstone = Math.Max(row.Tombstone, timestamp);
            return CqlResponseFrames.Void(stream);
        }

        if (SelectRow().Match(cql) is { Success: true } select)
        {
            var table = _tables[Unquote(select.Groups["table"].Value)];
            var columns = cql["SELECT ".Length..cql.IndexOf(" FROM ", StringComparison.Ordinal)].Split(", ").Select(c => table.Column(Unquote(c))).ToArray();
            var rowId = string.Join("/", values.Select(v => Convert.ToHexString(v!)));
            var live = table.Rows.TryGetValue(rowId, out var found) ? found.Live(table) : null;
            return live is null
                ? CqlResponseFrames.Rows(stream, columns)
                : CqlResponseFrames.Rows(stream, columns, [.. columns.Select(c => live.GetValueOrDefault(c.Name))]);
        }

        throw new InvalidOperationException($"the emulator cannot execute: {cql}");
    }

    /// <summary>The offset statements, with Cassandra's lightweight-transaction answers.</summary>
    private byte[] Offsets(short stream, string cql, Func<int, object?> value)
    {
        (string Name, CqlType Type)[] lwtColumns = [("[applied]", CqlType.Boolean), ("epoch", CqlType.Bigint), ("reserved_timestamp", CqlType.Bigint)];
        if (cql == CassandraStatements.SelectOffset(_keyspace))
        {
            var found = _offsets.TryGetValue(((string)value(0)!, (string)value(1)!), out var row);
            return CqlResponseFrames.Rows(stream, [("lsn", CqlType.Bigint), ("ordinal", CqlType.Bigint), ("epoch", CqlType.Bigint), ("reserved_timestamp", CqlType.Bigint)],
                found ? [[row![0], row[1], row[2], row[3]]] : []);
        }

        if (cql == CassandraStatements.InsertOffset(_keyspace))
        {
            var applied = _offsets.TryAdd(((string)value(0)!, (string)value(1)!), [0, 0, (long)value(2)!, 0]);
            return CqlResponseFrames.Rows(stream, [("[applied]", CqlType.Boolean)], [applied]);
        }

        if (cql == CassandraStatements.ReserveTimestamps(_keyspace))
        {
            var row = _offsets[((string)value(2)!, (string)value(3)!)];
            var applied = row[2] <= (long)value(4)! && row[3] == (long)value(5)!;
            var answer = new object?[] { applied, row[2], row[3] };
            if (applied)
            {
                (row[3], row[2]) = ((long)value(0)!, (long)value(1)!);
            }

            return CqlResponseFrames.Rows(stream, lwtColumns, answer);
        }

        var stored = _offsets[((string)value(3)!, (string)value(4)!)];
        var ok = stored[2] <= (long)value(5)!;
        var result = new object?[] { ok, stored[2], stored[3] };
        if (ok)
        {
            (stored[0], stored[1], stored[2]) = ((long)value(0)!, (long)value(1)!, (long)value(2)!);
        }

        return CqlResponseFrames.Rows(stream, lwtColumns, result);
    }

    private static readonly byte[] Unset = [];

    private static List<byte[]?> ReadParameters(CqlReader reader)
    {
        var values = new List<byte[]?>();
        if (reader.Remaining == 0)
        {
            return values;
        }

        reader.ReadShort();
        var flags = reader.ReadByte();
        if ((flags & 0x01) != 0)
        {
            var count = reader.ReadShort();
            for (var i = 0; i < count; i++)
            {
                values.Add(ReadValue(reader));
            }
        }

        return values;
    }

    private static byte[]? ReadValue(CqlReader reader)
    {
        var length = reader.ReadInt();
        if (length == CqlWriter.UnsetLength)
        {
            return Unset;
        }

        if (length < 0)
        {
            return null;
        }

        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = reader.ReadByte();
        }

        return bytes;
    }

    private static string Text(byte[]? bytes) => Encoding.UTF8.GetString(bytes!);

    private static string Unquote(string identifier) => identifier.Replace("\"", "", StringComparison.Ordinal).Trim();

    [GeneratedRegex("""^CREATE TABLE IF NOT EXISTS (?<table>\S+) \((?<columns>.*)\)$""")]
    private static partial Regex CreateTable();

    [GeneratedRegex("""PRIMARY KEY \(\((?<partition>[^)]*)\),? ?(?<clustering>[^)]*)\)""")]
    private static partial Regex KeyList();

    [GeneratedRegex("""(?<name>"[^"]+"|\w+) (?<type>[a-z]+(<[^>]+>+)?),""")]
    private static partial Regex ColumnDefinition();

    [GeneratedRegex("""^ALTER TABLE (?<table>\S+) ADD (?<column>"[^"]+") (?<type>.+)$""")]
    private static partial Regex AlterAdd();

    [GeneratedRegex("""^INSERT INTO (?<table>\S+) \((?<columns>[^)]*)\) VALUES""")]
    private static partial Regex Insert();

    [GeneratedRegex("""^DELETE FROM (?<table>\S+) USING TIMESTAMP \? WHERE""")]
    private static partial Regex Delete();

    [GeneratedRegex("""^SELECT COUNT\(\*\) FROM (?<table>\S+)$""")]
    private static partial Regex CountRows();

    [GeneratedRegex("""^SELECT .* FROM (?<table>\S+) WHERE""")]
    private static partial Regex SelectRow();
}
