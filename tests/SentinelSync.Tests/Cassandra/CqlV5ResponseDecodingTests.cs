using System.Net;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// The v5 additions to responses, decoded by our client and by the DataStax Python driver's ProtocolHandler from the
/// same frames (written here after spec section 4.2; the driver, being a client, writes no responses): PREPARED with
/// its result metadata id, ROWS whose metadata changed (a new metadata id after the paging state), READ_FAILURE and
/// WRITE_FAILURE with each node's reason. Both decoders must read the same fields. CAS_WRITE_UNKNOWN (0x1700) is
/// newer than the driver 3.25, which decodes it as an unknown error: that one is checked against the spec only.
/// </summary>
public sealed class CqlV5ResponseDecodingTests
{
    [Fact]
    public void Prepared_with_a_result_metadata_id_decodes_as_the_python_driver_decodes_it()
    {
        var frame = Frame(CqlOpcode.Result, w =>
        {
            w.WriteInt(4);
            w.WriteShortBytes(Convert.FromHexString("CAFEBABE"));
            w.WriteShortBytes(Convert.FromHexString("0BADF00D"));
            w.WriteInt(1);
            w.WriteInt(2);
            w.WriteInt(1);
            w.WriteShort(1);
            w.WriteString("ks");
            w.WriteString("t");
            Column(w, "name", CqlType.Varchar);
            Column(w, "id", CqlType.Int);
            w.WriteInt(1);
            w.WriteInt(1);
            w.WriteString("ks");
            w.WriteString("t");
            Column(w, "v", CqlType.Bigint);
        });

        var ours = (PreparedResult)Decode(frame);
        var theirs = PythonDriverReference.Decode(("v5response", frame)).Single();

        theirs.GetProperty("query_id").GetString().ShouldBe(Convert.ToHexString(ours.Id).ToLowerInvariant());
        theirs.GetProperty("result_metadata_id").GetString().ShouldBe(Convert.ToHexString(ours.ResultMetadataId!).ToLowerInvariant());
        ours.ResultMetadataId.ShouldBe(Convert.FromHexString("0BADF00D"));
        theirs.GetProperty("pk_indexes").EnumerateArray().Select(e => e.GetInt32()).ShouldBe(ours.PartitionKeyIndexes.Select(i => (int)i));
        theirs.GetProperty("bind").EnumerateArray().Select(e => e.GetString()).ShouldBe(ours.Variables.Select(v => v.Name));
        theirs.GetProperty("columns").EnumerateArray().Select(e => e.GetString()).ShouldBe(ours.ResultMetadata.Columns!.Select(c => c.Name));
    }

    [Fact]
    public void Rows_whose_metadata_changed_carry_the_new_id_after_the_paging_state()
    {
        var frame = Frame(CqlOpcode.Result, w =>
        {
            w.WriteInt(2);
            w.WriteInt(0x0001 | 0x0002 | 0x0008);
            w.WriteInt(2);
            w.WriteBytes(Convert.FromHexString("0102FF"));
            w.WriteShortBytes(Convert.FromHexString("BEEF"));
            w.WriteString("ks");
            w.WriteString("t");
            Column(w, "id", CqlType.Int);
            Column(w, "name", CqlType.Varchar);
            w.WriteInt(2);
            foreach (var (id, name) in new[] { (1, "one"), (2, "two") })
            {
                w.WriteValue(CqlValue.Of(CqlValueCodec.Encode(CqlType.Int, id)));
                w.WriteValue(CqlValue.Of(CqlValueCodec.Encode(CqlType.Varchar, name)));
            }
        });

        var ours = (RowsResult)Decode(frame);
        var theirs = PythonDriverReference.Decode(("v5response", frame)).Single();

        ours.Metadata.NewMetadataId.ShouldBe(Convert.FromHexString("BEEF"));
        theirs.GetProperty("result_metadata_id").GetString().ShouldBe("beef");
        theirs.GetProperty("paging_state").GetString().ShouldBe(Convert.ToHexString(ours.Metadata.PagingState!).ToLowerInvariant());
        theirs.GetProperty("columns").EnumerateArray().Select(e => e.GetString()).ShouldBe(ours.Metadata.Columns!.Select(c => c.Name));
        ours.Rows.Select(r => $"{r[0]}|{r[1]}").ShouldBe(["1|one", "2|two"]);
        theirs.GetProperty("rows").GetArrayLength().ShouldBe(2);
    }

    [Theory]
    [InlineData(CqlErrorCode.ReadFailure)]
    [InlineData(CqlErrorCode.WriteFailure)]
    public void Read_and_write_failures_carry_each_nodes_reason(CqlErrorCode code)
    {
        var frame = Frame(CqlOpcode.Error, w =>
        {
            w.WriteInt((int)code);
            w.WriteString("replicas failed");
            w.WriteShort((ushort)CqlConsistency.LocalQuorum);
            w.WriteInt(1);
            w.WriteInt(2);
            w.WriteInt(2);
            foreach (var (address, reason) in new[] { ("10.0.0.5", (ushort)0x0001), ("10.0.0.6", (ushort)0x0003) })
            {
                var bytes = IPAddress.Parse(address).GetAddressBytes();
                w.WriteByte((byte)bytes.Length);
                w.WriteRaw(bytes);
                w.WriteShort(reason);
            }

            if (code == CqlErrorCode.ReadFailure)
            {
                w.WriteByte(1);
            }
            else
            {
                w.WriteString("UNLOGGED_BATCH");
            }
        });

        var ours = (CqlFailureException)((ErrorResponse)Decode(frame)).Exception;
        var theirs = PythonDriverReference.Decode(("v5response", frame)).Single();

        theirs.GetProperty("code").GetInt32().ShouldBe((int)ours.Code);
        var info = theirs.GetProperty("info");
        (info.GetProperty("received_responses").GetInt32(), info.GetProperty("required_responses").GetInt32(), info.GetProperty("failures").GetInt32())
            .ShouldBe((ours.Received, ours.BlockFor, ours.Failures));
        info.GetProperty("error_code_map").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetInt32()}")
            .ShouldBe(ours.Reasons!.Select(r => $"{r.Key}={r.Value}"));
        ours.Reasons!.Count.ShouldBe(2);
        if (code == CqlErrorCode.ReadFailure)
        {
            info.GetProperty("data_retrieved").GetBoolean().ShouldBe(ours.DataPresent);
        }
        else
        {
            info.GetProperty("write_type").GetString().ShouldBe(ours.WriteType);
        }

        ours.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public void A_lightweight_transaction_of_unknown_outcome_is_transient()
    {
        var frame = Frame(CqlOpcode.Error, w =>
        {
            w.WriteInt((int)CqlErrorCode.CasWriteUnknown);
            w.WriteString("CAS operation result is unknown");
            w.WriteShort((ushort)CqlConsistency.Serial);
            w.WriteInt(1);
            w.WriteInt(2);
        });

        var ours = (CqlFailureException)((ErrorResponse)Decode(frame)).Exception;

        ours.Code.ShouldBe(CqlErrorCode.CasWriteUnknown);
        (ours.Consistency, ours.Received, ours.BlockFor).ShouldBe((CqlConsistency.Serial, 1, 2));
        ours.IsTransient.ShouldBeTrue("the offset write is re-read and retried, never dead-lettered");
    }

    private static CqlResponse Decode(byte[] frame) =>
        CqlResponseDecoder.Decode(CqlFrameHeader.Read(frame), frame.AsMemory(CqlFrameHeader.Size));

    private static void Column(CqlWriter w, string name, CqlType type)
    {
        w.WriteString(name);
        type.Write(w);
    }

    private static byte[] Frame(CqlOpcode opcode, Action<CqlWriter> body)
    {
        var writer = new CqlWriter { ProtocolVersion = 5 };
        body(writer);
        var frame = new byte[CqlFrameHeader.Size + writer.Length];
        new CqlFrameHeader(0x85, CqlFrameFlags.None, 3, opcode, writer.Length).WriteTo(frame);
        writer.WrittenSpan.CopyTo(frame.AsSpan(CqlFrameHeader.Size));
        return frame;
    }
}
