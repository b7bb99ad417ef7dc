namespace SentinelSync.Replication.Cassandra.Protocol.Requests;

/// <summary>A request message: its opcode and how its body is written. Frames are built by <see cref="Frame"/>.</summary>
public abstract class CqlRequest
{
    public abstract CqlOpcode Opcode { get; }

    public abstract void WriteBody(CqlWriter writer);

    /// <summary>The whole frame (header + body) for protocol <paramref name="version"/> on <paramref name="streamId"/>.</summary>
    public byte[] Frame(byte version, short streamId)
    {
        var body = new CqlWriter { ProtocolVersion = version };
        WriteBody(body);
        var frame = new byte[CqlFrameHeader.Size + body.Length];
        new CqlFrameHeader(version, CqlFrameFlags.None, streamId, Opcode, body.Length).WriteTo(frame);
        body.WrittenSpan.CopyTo(frame.AsSpan(CqlFrameHeader.Size));
        return frame;
    }
}
