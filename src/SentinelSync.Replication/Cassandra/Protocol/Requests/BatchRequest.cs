namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>
/// BATCH: type, statements, consistency, then the flags ([byte] in v4, [int] in v5) and what they announce (serial consistency, default
/// timestamp). The sink sends unlogged batches of one partition each, which Cassandra applies as one mutation.
/// </summary>
public sealed class BatchRequest(BatchType type, IReadOnlyList<BatchStatement> statements, CqlConsistency consistency) : CqlRequest
{
    public BatchType Type { get; } = type;

    public IReadOnlyList<BatchStatement> Statements { get; } = statements;

    public CqlConsistency Consistency { get; } = consistency;

    public CqlConsistency? SerialConsistency { get; init; }

    public long? DefaultTimestamp { get; init; }

    public override CqlOpcode Opcode => CqlOpcode.Batch;

    public override void WriteBody(CqlWriter writer)
    {
        if (Statements.Count == 0)
        {
            throw new ArgumentException("a BATCH needs at least one statement");
        }

        writer.WriteByte((byte)Type);
        writer.WriteShort(checked((ushort)Statements.Count));
        foreach (var statement in Statements)
        {
            if (statement.PreparedId is { } id)
            {
                writer.WriteByte(1);
                writer.WriteShortBytes(id);
            }
            else
            {
                writer.WriteByte(0);
                writer.WriteLongString(statement.Query ?? throw new ArgumentException("a batch statement needs a query or a prepared id"));
            }

            writer.WriteShort(checked((ushort)statement.Values.Count));
            foreach (var value in statement.Values)
            {
                writer.WriteValue(value);
            }
        }

        writer.WriteShort((ushort)Consistency);
        var flags = (SerialConsistency is not null ? 0x10 : 0) | (DefaultTimestamp is not null ? 0x20 : 0);
        if (writer.ProtocolVersion >= 5)
        {
            writer.WriteInt(flags);
        }
        else
        {
            writer.WriteByte((byte)flags);
        }
        if (SerialConsistency is { } serial)
        {
            writer.WriteShort((ushort)serial);
        }

        if (DefaultTimestamp is { } timestamp)
        {
            writer.WriteLong(timestamp);
        }
    }
}
