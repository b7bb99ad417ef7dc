namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>
/// The flags byte of a frame header. Compression is set by the v4 framing when LZ4 was negotiated (v5 compresses
/// segments instead and ignores it); this client never asks for tracing.
/// </summary>
[Flags]
public enum CqlFrameFlags : byte
{
    None = 0x00,
    Compression = 0x01,
    Tracing = 0x02,
    CustomPayload = 0x04,
    Warning = 0x08,
    UseBeta = 0x10,
}
