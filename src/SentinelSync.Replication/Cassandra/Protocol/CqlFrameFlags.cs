namespace SentinelSync.Replication.Cassandra.Protocol;

/// <summary>The flags byte of a frame header. This client never compresses and never asks for tracing.</summary>
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
