using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;

namespace SentinelSync.Tests.Cassandra;

/// <summary>Response frames as a node writes them (their layout checked against the Node driver in CqlResponseDecodingTests).</summary>
public static class CqlResponseFrames
{
    public static byte[] Ready(short stream) => Frame(stream, CqlOpcode.Ready, _ => { });

    public static byte[] Supported(short stream, int maxVersion, IReadOnlyCollection<string> compressions) => Frame(stream, CqlOpcode.Supported, w =>
    {
        w.WriteShort(3);
        w.WriteString("CQL_VERSION");
        w.WriteStringList(["3.4.5"]);
        w.WriteString("PROTOCOL_VERSIONS");
        w.WriteStringList([.. Enumerable.Range(3, maxVersion - 2).Select(v => $"{v}/v{v}")]);
        w.WriteString("COMPRESSION");
        w.WriteStringList(compressions);
    });

    public static byte[] Void(short stream) => Frame(stream, CqlOpcode.Result, w => w.WriteInt(1));

    public static byte[] SetKeyspace(short stream, string keyspace) => Frame(stream, CqlOpcode.Result, w =>
    {
        w.WriteInt(3);
        w.WriteString(keyspace);
    });

    public static byte[] Authenticate(short stream) =>
        Frame(stream, CqlOpcode.Authenticate, w => w.WriteString("org.apache.cassandra.auth.PasswordAuthenticator"));

    public static byte[] AuthSuccess(short stream) => Frame(stream, CqlOpcode.AuthSuccess, w => w.WriteInt(-1));

    public static byte[] Error(short stream, CqlErrorCode code, string message, Action<CqlWriter>? extra = null) => Frame(stream, CqlOpcode.Error, w =>
    {
        w.WriteInt((int)code);
        w.WriteString(message);
        extra?.Invoke(w);
    });

    public static byte[] Rows(short stream, (string Name, CqlType Type)[] columns, params object?[][] rows) => Frame(stream, CqlOpcode.Result, w =>
    {
        w.WriteInt(2);
        WriteMetadata(w, columns);
        w.WriteInt(rows.Length);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                w.WriteValue(CqlValue.Of(CqlValueCodec.Encode(columns[i].Type, row[i])));
            }
        }
    });

    public static byte[] Prepared(short stream, byte[] id, (string Name, CqlType Type)[] variables, params ushort[] partitionKey) => Frame(stream, CqlOpcode.Result, w =>
    {
        w.WriteInt(4);
        w.WriteShortBytes(id);
        w.WriteInt(1);
        w.WriteInt(variables.Length);
        w.WriteInt(partitionKey.Length);
        foreach (var index in partitionKey)
        {
            w.WriteShort(index);
        }

        w.WriteString("ks");
        w.WriteString("t");
        foreach (var (name, type) in variables)
        {
            w.WriteString(name);
            type.Write(w);
        }

        w.WriteInt(4);
        w.WriteInt(0);
    });

    public static byte[] Event(string type, string change, System.Net.IPAddress address, int port) => Frame(-1, CqlOpcode.Event, w =>
    {
        w.WriteString(type);
        w.WriteString(change);
        var bytes = address.GetAddressBytes();
        w.WriteByte((byte)bytes.Length);
        w.WriteRaw(bytes);
        w.WriteInt(port);
    });

    private static void WriteMetadata(CqlWriter w, (string Name, CqlType Type)[] columns)
    {
        w.WriteInt(1);
        w.WriteInt(columns.Length);
        w.WriteString("system");
        w.WriteString("t");
        foreach (var (name, type) in columns)
        {
            w.WriteString(name);
            type.Write(w);
        }
    }

    private static byte[] Frame(short stream, CqlOpcode opcode, Action<CqlWriter> body)
    {
        var writer = new CqlWriter();
        body(writer);
        var frame = new byte[CqlFrameHeader.Size + writer.Length];
        new CqlFrameHeader(0x84, CqlFrameFlags.None, stream, opcode, writer.Length).WriteTo(frame);
        writer.WrittenSpan.CopyTo(frame.AsSpan(CqlFrameHeader.Size));
        return frame;
    }
}
