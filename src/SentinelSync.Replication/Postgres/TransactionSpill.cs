namespace SentinelSync.Replication.Postgres;

/// <summary>
/// The changes of one streamed, still uncommitted transaction. Up to <c>memoryLimit</c> changes are held in
/// memory; beyond that they are appended to a temporary file (deleted on dispose), so memory stays bounded for
/// any transaction size. <see cref="Replay"/> returns them in arrival order, without the changes of aborted
/// subtransactions.
/// </summary>
internal sealed class TransactionSpill : IDisposable
{
    private readonly int _memoryLimit;
    private readonly string _directory;
    private readonly List<PendingChange> _memory = [];
    private readonly HashSet<uint> _abortedSubtransactions = [];
    private readonly Dictionary<TableSchema, int> _schemaIds = new(ReferenceEqualityComparer.Instance);
    private readonly List<TableSchema> _schemas = [];
    private FileStream? _file;
    private BinaryWriter? _writer;

    public TransactionSpill(int memoryLimit, string directory)
    {
        _memoryLimit = memoryLimit;
        _directory = directory;
    }

    /// <summary>Changes held so far, in memory and on disk.</summary>
    public long Count { get; private set; }

    /// <summary>Changes written to the temporary file.</summary>
    public long Spilled { get; private set; }

    public void Add(PendingChange change)
    {
        _memory.Add(change);
        Count++;
        if (_memory.Count >= _memoryLimit)
        {
            SpillMemory();
        }
    }

    public void AbortSubtransaction(uint xid) => _abortedSubtransactions.Add(xid);

    /// <summary>Every kept change in arrival order; reads the file lazily, one change at a time.</summary>
    public IEnumerable<PendingChange> Replay()
    {
        if (_file is not null)
        {
            _writer!.Flush();
            _file.Position = 0;
            using var reader = new BinaryReader(_file, System.Text.Encoding.UTF8, leaveOpen: true);
            for (var i = 0L; i < Spilled; i++)
            {
                var change = Read(reader);
                if (!_abortedSubtransactions.Contains(change.Xid))
                {
                    yield return change;
                }
            }
        }

        foreach (var change in _memory)
        {
            if (!_abortedSubtransactions.Contains(change.Xid))
            {
                yield return change;
            }
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _file?.Dispose();
    }

    private void SpillMemory()
    {
        if (_file is null)
        {
            Directory.CreateDirectory(_directory);
            var path = Path.Combine(_directory, $"sentinel-txn-{Guid.NewGuid():N}.spill");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            _writer = new BinaryWriter(_file, System.Text.Encoding.UTF8, leaveOpen: true);
        }

        foreach (var change in _memory)
        {
            Write(_writer!, change);
        }

        Spilled += _memory.Count;
        _memory.Clear();
    }

    private void Write(BinaryWriter writer, PendingChange change)
    {
        if (!_schemaIds.TryGetValue(change.Schema, out var schemaId))
        {
            schemaId = _schemas.Count;
            _schemas.Add(change.Schema);
            _schemaIds.Add(change.Schema, schemaId);
        }

        writer.Write(schemaId);
        writer.Write((byte)change.Kind);
        writer.Write(change.Xid);
        WriteValues(writer, change.Values);
        writer.Write(change.OldKey is not null);
        if (change.OldKey is not null)
        {
            WriteValues(writer, change.OldKey);
        }
    }

    private PendingChange Read(BinaryReader reader)
    {
        var schema = _schemas[reader.ReadInt32()];
        var kind = (ChangeKind)reader.ReadByte();
        var xid = reader.ReadUInt32();
        var values = ReadValues(reader);
        var oldKey = reader.ReadBoolean() ? ReadValues(reader) : null;
        return new PendingChange(schema, kind, values, oldKey, xid);
    }

    private static void WriteValues(BinaryWriter writer, ColumnValue[] values)
    {
        writer.Write(values.Length);
        foreach (var value in values)
        {
            writer.Write((byte)value.Kind);
            if (value.Kind == ColumnValueKind.Text)
            {
                writer.Write(value.Text!);
            }
        }
    }

    private static ColumnValue[] ReadValues(BinaryReader reader)
    {
        var values = new ColumnValue[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
        {
            var kind = (ColumnValueKind)reader.ReadByte();
            values[i] = kind == ColumnValueKind.Text ? ColumnValue.Of(reader.ReadString()) : new ColumnValue(kind, null);
        }

        return values;
    }
}
