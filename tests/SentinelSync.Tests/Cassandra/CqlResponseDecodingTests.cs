using System.Text.Json;
using SentinelSync.Replication.Cassandra.Protocol;
using SentinelSync.Replication.Cassandra.Protocol.Errors;
using SentinelSync.Replication.Cassandra.Protocol.Responses;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// RESULT, ERROR and EVENT frames written by the Node.js driver's own FrameWriter and Encoder, decoded by our client
/// and compared with what the driver itself decoded from the same bytes (or, for rows of each type, with the .NET
/// literals of the values the driver encoded).
/// </summary>
public sealed class CqlResponseDecodingTests
{
    private static NodeDriverReference Reference => NodeDriverReference.Instance;

    public static TheoryData<string> ErrorCases() => [.. Reference.Responses.Keys.Where(k => k.StartsWith("error-", StringComparison.Ordinal))];

    public static TheoryData<string> EventCases() => [.. Reference.Responses.Keys.Where(k => k.StartsWith("event-", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(CqlReferenceCases.TypeNames), MemberType = typeof(CqlReferenceCases))]
    public void Rows_of_each_cql_type_decode_to_the_values_the_driver_encoded(string typeName)
    {
        var (type, values) = CqlReferenceCases.Types[typeName];
        var (frame, driver) = Reference.Responses["rows-" + typeName];

        var rows = Decode(frame).ShouldBeOfType<RowsResult>();

        driver.GetProperty("rowLength").GetInt32().ShouldBe(1);
        rows.Rows.Count.ShouldBe(1);
        rows.Metadata.Columns!.Select(c => c.Type).ShouldAllBe(t => t.Equals(type));
        rows.Rows[0].Select(CqlCanonical.Of).ShouldBe(values.Select(CqlCanonical.Of));
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Errors_decode_to_typed_exceptions_with_the_fields_the_driver_read(string name)
    {
        var (frame, driver) = Reference.Responses[name];

        var error = Decode(frame).ShouldBeOfType<ErrorResponse>().Exception;

        ((int)error.Code).ShouldBe(driver.GetProperty("code").GetInt32());
        error.ServerMessage.ShouldBe(driver.GetProperty("message").GetString());
        switch (error)
        {
            case CqlUnavailableException unavailable:
                ((int)unavailable.Consistency).ShouldBe(driver.GetProperty("consistency").GetInt32());
                unavailable.Required.ShouldBe(driver.GetProperty("required").GetInt32());
                unavailable.Alive.ShouldBe(driver.GetProperty("alive").GetInt32());
                break;
            case CqlWriteTimeoutException timeout:
                ((int)timeout.Consistency).ShouldBe(driver.GetProperty("consistency").GetInt32());
                timeout.Received.ShouldBe(driver.GetProperty("received").GetInt32());
                timeout.BlockFor.ShouldBe(driver.GetProperty("blockFor").GetInt32());
                timeout.WriteType.ShouldBe(driver.GetProperty("writeType").GetString());
                break;
            case CqlReadTimeoutException timeout:
                ((int)timeout.Consistency).ShouldBe(driver.GetProperty("consistency").GetInt32());
                timeout.Received.ShouldBe(driver.GetProperty("received").GetInt32());
                timeout.BlockFor.ShouldBe(driver.GetProperty("blockFor").GetInt32());
                timeout.DataPresent.ShouldBe(driver.GetProperty("dataPresent").GetBoolean());
                break;
            case CqlFailureException failure:
                ((int)failure.Consistency).ShouldBe(driver.GetProperty("consistency").GetInt32());
                failure.Received.ShouldBe(driver.GetProperty("received").GetInt32());
                failure.BlockFor.ShouldBe(driver.GetProperty("blockFor").GetInt32());
                failure.Failures.ShouldBe(driver.GetProperty("failures").GetInt32());
                failure.WriteType.ShouldBe(NullableString(driver, "writeType"));
                break;
            case CqlFunctionFailureException function:
                function.Keyspace.ShouldBe(driver.GetProperty("keyspace").GetString());
                function.Function.ShouldBe(driver.GetProperty("functionName").GetString());
                function.ArgumentTypes.ShouldBe(driver.GetProperty("argTypes").EnumerateArray().Select(a => a.GetString()!));
                break;
            case CqlAlreadyExistsException exists:
                exists.Keyspace.ShouldBe(driver.GetProperty("keyspace").GetString());
                exists.Table.ShouldBe(driver.GetProperty("table").GetString());
                break;
            case CqlUnpreparedException unprepared:
                Convert.ToHexStringLower(unprepared.PreparedId).ShouldBe(driver.GetProperty("queryId").GetString());
                break;
        }

        ExpectedType(error.Code).ShouldBe(error.GetType(), $"{name}: exception type of code {error.Code}");
    }

    [Fact]
    public void Transient_errors_are_retried_and_data_errors_are_not()
    {
        var transient = Reference.Responses.Keys.Where(k => k.StartsWith("error-", StringComparison.Ordinal))
            .Select(k => Decode(Reference.Responses[k].Frame).ShouldBeOfType<ErrorResponse>().Exception)
            .Where(e => e.IsTransient).Select(e => e.Code).Order().ToList();

        transient.ShouldBe([CqlErrorCode.ServerError, CqlErrorCode.Unavailable, CqlErrorCode.Overloaded, CqlErrorCode.IsBootstrapping,
            CqlErrorCode.TruncateError, CqlErrorCode.WriteTimeout, CqlErrorCode.ReadTimeout, CqlErrorCode.ReadFailure, CqlErrorCode.WriteFailure,
            CqlErrorCode.Unprepared]);
    }

    [Theory]
    [MemberData(nameof(EventCases))]
    public void Events_decode_as_the_driver_read_them(string name)
    {
        var (frame, driver) = Reference.Responses[name];

        CqlFrameHeader.Read(frame).StreamId.ShouldBe((short)-1, "events arrive on stream -1");
        var decoded = Decode(frame).ShouldBeOfType<EventResponse>();

        decoded.EventType.ShouldBe(driver.GetProperty("eventType").GetString());
        if (decoded.Node is { } node)
        {
            node.Address.ToString().ShouldBe(driver.GetProperty("address").GetString());
            node.Port.ShouldBe(driver.GetProperty("port").GetInt32());
            var positive = decoded.EventType == "TOPOLOGY_CHANGE" ? driver.GetProperty("added") : driver.GetProperty("up");
            (decoded.Change is "NEW_NODE" or "UP").ShouldBe(positive.GetBoolean());
        }
        else
        {
            var change = decoded.SchemaChange.ShouldNotBeNull();
            change.ChangeType.ShouldBe(driver.GetProperty("change").GetString());
            change.Target.ShouldBe(driver.GetProperty("target").GetString());
            change.Keyspace.ShouldBe(driver.GetProperty("keyspace").GetString());
            change.Name.ShouldBe(NullableString(driver, "name"));
            if (change.Target == "FUNCTION")
            {
                change.ArgumentTypes.ShouldBe(driver.GetProperty("argTypes").EnumerateArray().Select(a => a.GetString()!));
            }
        }
    }

    [Fact]
    public void Void_set_keyspace_and_schema_change_results_decode_as_the_driver_read_them()
    {
        Decode(Reference.Responses["result-void"].Frame).ShouldBeOfType<VoidResult>();

        var (keyspaceFrame, keyspaceDriver) = Reference.Responses["result-set-keyspace"];
        Decode(keyspaceFrame).ShouldBeOfType<SetKeyspaceResult>().Keyspace.ShouldBe(keyspaceDriver.GetProperty("keyspaceSet").GetString());

        foreach (var name in new[] { "result-schema-change-table", "result-schema-change-type" })
        {
            var (frame, driver) = Reference.Responses[name];
            var change = Decode(frame).ShouldBeOfType<SchemaChangeResult>().Change;
            var expected = driver.GetProperty("schemaChange");
            (change.ChangeType, change.Target, change.Keyspace, change.Name).ShouldBe((
                expected.GetProperty("change").GetString()!, expected.GetProperty("target").GetString()!,
                expected.GetProperty("keyspace").GetString()!, expected.GetProperty("name").GetString()));
        }
    }

    [Fact]
    public void Rows_with_per_column_specs_nulls_and_a_paging_state_decode_as_the_driver_read_them()
    {
        var (frame, driver) = Reference.Responses["result-rows-paged"];

        var rows = Decode(frame).ShouldBeOfType<RowsResult>();

        Convert.ToHexStringLower(rows.Metadata.PagingState!).ShouldBe(driver.GetProperty("pageState").GetString());
        rows.Metadata.Columns!.Select(c => (c.Keyspace, c.Table, c.Name)).ShouldBe(
            driver.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("keyspace").GetString()!, c.GetProperty("table").GetString()!, c.GetProperty("name").GetString()!)));
        rows.Rows.Select(r => r.Select(v => v?.ToString())).ShouldBe(
            driver.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())));

        var empty = Decode(Reference.Responses["result-rows-empty"].Frame).ShouldBeOfType<RowsResult>();
        empty.Rows.ShouldBeEmpty();
        empty.Metadata.Columns!.Single().Type.ShouldBe(CqlType.Inet);
    }

    [Fact]
    public void Prepared_result_carries_the_id_variables_and_partition_key_indexes_the_driver_read()
    {
        var (frame, driver) = Reference.Responses["result-prepared"];

        var prepared = Decode(frame).ShouldBeOfType<PreparedResult>();

        Convert.ToHexStringLower(prepared.Id).ShouldBe(driver.GetProperty("preparedId").GetString());
        prepared.PartitionKeyIndexes.Select(i => (int)i).ShouldBe(driver.GetProperty("partitionKeys").EnumerateArray().Select(i => i.GetInt32()));
        prepared.Variables.Select(v => v.Name).ShouldBe(driver.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));
        prepared.Variables.Select(v => v.Type).ShouldBe([CqlType.Varchar, CqlType.Date, CqlType.MapOf(CqlType.Varchar, CqlType.Double)]);
        prepared.ResultMetadata.Columns.ShouldBeNull("a write returns no rows: NO_METADATA");
    }

    private static CqlResponse Decode(byte[] frame)
    {
        var header = CqlFrameHeader.Read(frame);
        header.IsResponse.ShouldBeTrue();
        frame.Length.ShouldBe(CqlFrameHeader.Size + header.BodyLength);
        return CqlResponseDecoder.Decode(header, frame.AsMemory(CqlFrameHeader.Size));
    }

    private static string? NullableString(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetString();

    private static Type ExpectedType(CqlErrorCode code) => code switch
    {
        CqlErrorCode.Unavailable => typeof(CqlUnavailableException),
        CqlErrorCode.WriteTimeout => typeof(CqlWriteTimeoutException),
        CqlErrorCode.ReadTimeout => typeof(CqlReadTimeoutException),
        CqlErrorCode.ReadFailure or CqlErrorCode.WriteFailure => typeof(CqlFailureException),
        CqlErrorCode.FunctionFailure => typeof(CqlFunctionFailureException),
        CqlErrorCode.AlreadyExists => typeof(CqlAlreadyExistsException),
        CqlErrorCode.Unprepared => typeof(CqlUnpreparedException),
        CqlErrorCode.SyntaxError => typeof(CqlSyntaxException),
        CqlErrorCode.Invalid => typeof(CqlInvalidQueryException),
        CqlErrorCode.Unauthorized => typeof(CqlUnauthorizedException),
        CqlErrorCode.BadCredentials => typeof(CqlAuthenticationException),
        CqlErrorCode.Overloaded => typeof(CqlOverloadedException),
        _ => typeof(CqlServerException),
    };
}
