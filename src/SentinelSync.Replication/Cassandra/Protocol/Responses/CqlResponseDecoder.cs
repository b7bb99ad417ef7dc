using SentinelSync.Replication.Cassandra.Protocol.Errors;

namespace SentinelSync.Replication.Cassandra.Protocol.Responses;

/// <summary>Decodes a response frame's body by its opcode (and RESULT by its kind).</summary>
public static class CqlResponseDecoder
{
    private const int VoidKind = 1;
    private const int RowsKind = 2;
    private const int SetKeyspaceKind = 3;
    private const int PreparedKind = 4;
    private const int SchemaChangeKind = 5;

    /// <param name="knownMetadata">The prepared statement's result metadata, for rows results sent without metadata.</param>
    public static CqlResponse Decode(CqlFrameHeader header, ReadOnlyMemory<byte> body, RowsMetadata? knownMetadata = null)
    {
        if ((header.Flags & CqlFrameFlags.Compression) != 0)
        {
            throw new CqlProtocolException("a compressed frame body reached the decoder (the framing decompresses before it)");
        }

        var reader = new CqlReader(body) { ProtocolVersion = (byte)header.ProtocolVersion };
        Guid? tracingId = (header.Flags & CqlFrameFlags.Tracing) != 0 ? reader.ReadUuid() : null;
        var warnings = (header.Flags & CqlFrameFlags.Warning) != 0 ? reader.ReadStringList() : [];
        if ((header.Flags & CqlFrameFlags.CustomPayload) != 0)
        {
            reader.ReadBytesMap();
        }

        CqlResponse response = header.Opcode switch
        {
            CqlOpcode.Error => new ErrorResponse(CqlServerException.Read(reader)),
            CqlOpcode.Ready => new ReadyResponse(),
            CqlOpcode.Authenticate => new AuthenticateResponse(reader.ReadString()),
            CqlOpcode.AuthChallenge => new AuthChallengeResponse(reader.ReadBytes()),
            CqlOpcode.AuthSuccess => new AuthSuccessResponse(reader.ReadBytes()),
            CqlOpcode.Supported => new SupportedResponse(reader.ReadStringMultimap()),
            CqlOpcode.Event => EventResponse.Read(reader),
            CqlOpcode.Result => ReadResult(reader, knownMetadata),
            _ => throw new CqlProtocolException($"a response with request opcode {header.Opcode}"),
        };
        return response with { TracingId = tracingId, Warnings = warnings };
    }

    private static CqlResponse ReadResult(CqlReader reader, RowsMetadata? knownMetadata)
    {
        var kind = reader.ReadInt();
        return kind switch
        {
            VoidKind => new VoidResult(),
            RowsKind => RowsResult.Read(reader, knownMetadata),
            SetKeyspaceKind => new SetKeyspaceResult(reader.ReadString()),
            PreparedKind => PreparedResult.Read(reader),
            SchemaChangeKind => new SchemaChangeResult(SchemaChange.Read(reader)),
            _ => throw new CqlProtocolException($"RESULT of unknown kind {kind}"),
        };
    }
}
