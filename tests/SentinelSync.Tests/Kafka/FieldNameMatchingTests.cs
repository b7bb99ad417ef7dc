using System.Text;
using SentinelSync.Replication;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Source;

namespace SentinelSync.Tests.Kafka;

/// <summary>
/// The decoder matches a row's field names against its cached schema's fields by their UTF-8 bytes (trying the
/// schema's order first) and hands out one observed column per field schema: the names, schemas and types must be
/// the ones a by-name lookup gives, whatever the order of the fields and with fields the schema does not name.
/// </summary>
public sealed class FieldNameMatchingTests
{
    private const string Schema = """
        {"type":"struct","fields":[
          {"type":"struct","optional":true,"field":"before","fields":[]},
          {"type":"struct","optional":true,"field":"after","fields":[
            {"type":"int32","optional":false,"field":"id"},
            {"type":"string","optional":true,"field":"näme"},
            {"type":"int64","optional":true,"field":"qty"}]},
          {"type":"string","optional":false,"field":"op"}]}
        """;

    private static DecodedChange Decode(EnvelopeDecoder decoder, string after, long offset) =>
        decoder.Decode(new KafkaMessage("shop.public.items", 0, offset, Encoding.UTF8.GetBytes("""{"id":1}"""),
            Encoding.UTF8.GetBytes("""{"schema":""" + Schema.ReplaceLineEndings("") + ""","payload":{"before":null,"after":""" + after + ""","op":"c","source":{"schema":"public","table":"items"}}}"""))).Change!;

    private static string Text(DecodedChange change) =>
        string.Join(", ", change.After.Select(f => $"{f.Name}={f.Value} ({f.Column})"));

    [Fact]
    public void Fields_in_any_order_and_fields_the_schema_lacks_decode_as_a_fresh_decoder_reads_them()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        Decode(decoder, """{"id":1,"näme":"a","qty":3}""", 0);

        foreach (var (after, offset) in new[] { ("""{"qty":4,"id":2,"näme":"b"}""", 1L), ("""{"id":3,"extra":"x","näme":null}""", 2L), ("""{"näme":"c","qty":5}""", 3L) })
        {
            var cached = Decode(decoder, after, offset);

            Text(cached).ShouldBe(Text(Decode(new EnvelopeDecoder(scylla: false), after, offset)));
        }

        var reordered = Decode(decoder, """{"qty":4,"id":2,"näme":"b"}""", 4);
        reordered.After.Select(f => f.Name).ShouldBe(["qty", "id", "näme"]);
        reordered.After.Single(f => f.Name == "qty").Column.ShouldBe(new ObservedColumn("qty", "bigint", 20, false));
        reordered.After.Single(f => f.Name == "id").Column.ShouldBe(new ObservedColumn("id", "integer", 23, true));
        reordered.After.Single(f => f.Name == "näme").Value.ShouldBe(ColumnValue.Of("b"));
    }

    [Fact]
    public void A_field_not_in_the_schema_is_typed_from_its_value()
    {
        var change = Decode(new EnvelopeDecoder(scylla: false), """{"id":3,"extra":"x"}""", 0);

        change.After.Single(f => f.Name == "extra").Column.ShouldBe(new ObservedColumn("extra", "text", 25, false));
    }

    [Fact]
    public void Messages_of_one_schema_share_each_fields_observed_column()
    {
        var decoder = new EnvelopeDecoder(scylla: false);
        var first = Decode(decoder, """{"id":1,"näme":"a","qty":3}""", 0);
        var second = Decode(decoder, """{"id":2,"näme":"b","qty":4}""", 1);

        for (var i = 0; i < 3; i++)
        {
            second.After[i].Column.ShouldBeSameAs(first.After[i].Column);
        }
    }

    [Theory]
    [InlineData(0UL, 0L)]
    [InlineData(0x16B3748UL, 7L)]
    [InlineData(0xABCDEF0012345678UL, 123456789L)]
    [InlineData(ulong.MaxValue, long.MaxValue)]
    public void The_position_header_is_the_positions_text_in_ascii(ulong lsn, long ordinal)
    {
        var position = new Position(lsn, ordinal);

        KafkaSink.PositionHeader(position).ShouldBe(Encoding.ASCII.GetBytes(position.ToString()));
    }
}
