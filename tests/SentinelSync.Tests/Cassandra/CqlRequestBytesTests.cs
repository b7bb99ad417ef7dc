using System.Text;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Requests;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// Every request type and every CQL type's encoding, byte for byte against the frames the DataStax Node.js driver
/// wrote to a fake node for the same calls (stream ids set to 0 on both sides).
/// </summary>
public sealed class CqlRequestBytesTests
{
    private const byte V4 = 4;

    // The Node driver's defaults that its frames carry: fetchSize 5000, its STARTUP identity.
    private const int DriverDefaultPageSize = 5000;

    private static NodeDriverReference Reference => NodeDriverReference.Instance;

    [Fact]
    public void Startup_matches_the_driver()
    {
        var startup = new StartupRequest([new("CQL_VERSION", "3.0.0"), new("DRIVER_NAME", "Apache Cassandra Node.js Driver"), new("DRIVER_VERSION", "4.10.0")]);

        AssertSame("startup", startup.Frame(V4, 0));
    }

    [Fact]
    public void Password_authentication_response_matches_the_driver()
    {
        Reference.Requests["startup-auth"].Count.ShouldBe(2, "STARTUP, then AUTH_RESPONSE after AUTHENTICATE");

        AssertSame("startup-auth", AuthResponseRequest.Plain("sentinel", "p@ss wörd").Frame(V4, 0), index: 1);
    }

    [Fact]
    public void Options_and_register_match_the_driver()
    {
        AssertSame("options", new OptionsRequest().Frame(V4, 0));
        AssertSame("register", new RegisterRequest(["TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"]).Frame(V4, 0));
    }

    [Fact]
    public void Query_without_values_matches_the_driver()
    {
        var query = new QueryRequest("SELECT release_version FROM system.local", new QueryParameters { Consistency = CqlConsistency.LocalOne, PageSize = DriverDefaultPageSize });

        AssertSame("query-plain", query.Frame(V4, 0));
    }

    [Fact]
    public void Query_with_values_page_size_paging_state_and_serial_consistency_matches_the_driver()
    {
        var query = new QueryRequest("SELECT * FROM ks.t WHERE id = ? AND name = ?", new QueryParameters
        {
            Consistency = CqlConsistency.LocalQuorum,
            Values = [Value(CqlType.Int, 42), Value(CqlType.Varchar, "ünïcode")],
            PageSize = 500,
            PagingState = Convert.FromHexString("0102030405ff"),
            SerialConsistency = CqlConsistency.LocalSerial,
        });

        AssertSame("query-values-paging", query.Frame(V4, 0));
    }

    [Fact]
    public void Query_with_null_and_unset_values_matches_the_driver()
    {
        var query = new QueryRequest("INSERT INTO ks.t (id, a, b) VALUES (?, ?, ?) USING TIMESTAMP ?", new QueryParameters
        {
            Consistency = CqlConsistency.Quorum,
            Values = [Value(CqlType.Int, 7), CqlValue.Null, CqlValue.Unset, Value(CqlType.Bigint, 1_700_000_000_000_000L)],
            PageSize = DriverDefaultPageSize,
        });

        AssertSame("query-null-unset", query.Frame(V4, 0));
    }

    [Fact]
    public void Prepare_matches_the_driver()
    {
        AssertSame("prepare", new PrepareRequest("SELECT * FROM ks.t WHERE id = ?").Frame(V4, 0));
    }

    [Theory]
    [MemberData(nameof(CqlReferenceCases.TypeNames), MemberType = typeof(CqlReferenceCases))]
    public void Execute_encodes_each_cql_type_as_the_driver_does(string typeName)
    {
        var (type, values) = CqlReferenceCases.Types[typeName];
        var execute = new ExecuteRequest(Encoding.UTF8.GetBytes(typeName), new QueryParameters
        {
            Consistency = CqlConsistency.LocalQuorum,
            Values = [.. values.Select(v => Value(type, v))],
            PageSize = DriverDefaultPageSize,
        });

        AssertSame("prepare-" + typeName, new PrepareRequest("INSERT " + typeName).Frame(V4, 0));
        AssertSame("execute-" + typeName, execute.Frame(V4, 0));
    }

    [Fact]
    public void Empty_list_is_an_empty_collection_where_the_node_driver_sends_null()
    {
        var ours = new ExecuteRequest(Encoding.UTF8.GetBytes("list_empty"), new QueryParameters
        {
            Consistency = CqlConsistency.LocalQuorum,
            Values = [Value(CqlType.ListOf(CqlType.Int), new List<object?>())],
            PageSize = DriverDefaultPageSize,
        }).Frame(V4, 0);
        var theirs = Reference.Request("execute-list_empty");

        // Values start after the header, the [short bytes] id, consistency, flags and the value count.
        var valueAt = CqlFrameHeader.Size + 2 + "list_empty".Length + 2 + 1 + 2;
        Convert.ToHexString(theirs, valueAt, 4).ShouldBe("FFFFFFFF", "the Node driver sends [] as a null value");
        Convert.ToHexString(ours, valueAt, 8).ShouldBe("0000000400000000", "we send [] as a 4-byte collection of 0 elements");
    }

    [Fact]
    public void Unlogged_batch_of_prepared_and_plain_statements_matches_the_driver()
    {
        var id = Convert.FromHexString("b1");
        var batch = new BatchRequest(BatchType.Unlogged,
        [
            BatchStatement.OfPrepared(id, Value(CqlType.Int, 1), Value(CqlType.Varchar, "one")),
            BatchStatement.OfPrepared(id, Value(CqlType.Int, 1), CqlValue.Null),
            BatchStatement.OfQuery("DELETE FROM ks.t USING TIMESTAMP 1700000000000002 WHERE id = ?", Value(CqlType.Int, 2)),
        ], CqlConsistency.LocalQuorum);

        AssertSame("batch-unlogged", batch.Frame(V4, 0));
    }

    [Fact]
    public void Logged_batch_with_serial_consistency_matches_the_driver()
    {
        var batch = new BatchRequest(BatchType.Logged, [BatchStatement.OfQuery("UPDATE ks.t SET v = ? WHERE id = ?", Value(CqlType.Varchar, "x"), Value(CqlType.Int, 3))], CqlConsistency.Quorum)
        {
            SerialConsistency = CqlConsistency.Serial,
        };

        AssertSame("batch-serial", batch.Frame(V4, 0));
    }

    private static CqlValue Value(CqlType type, object? value) => CqlValue.Of(CqlValueCodec.Encode(type, value));

    private static void AssertSame(string name, byte[] ours, int index = 0)
    {
        var theirs = Reference.Request(name, index);
        Convert.ToHexString(ours).ShouldBe(Convert.ToHexString(theirs), $"request '{name}': our frame (first) differs from the Node driver's (second)");
    }
}
