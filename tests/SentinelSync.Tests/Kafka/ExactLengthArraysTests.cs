using System.Text;
using SentinelSync.Replication.Kafka;
using SentinelSync.Replication.Kafka.Debezium;

namespace SentinelSync.Tests.Kafka;

/// <summary>The arrays the Kafka sink hands librdkafka: a message's exact bytes, one array per length reused between messages.</summary>
public sealed class ExactLengthArraysTests
{
    private static readonly byte[] s_head = Encoding.UTF8.GetBytes("""{"schema":{"type":"struct"},"payload":""");
    private static readonly byte[] s_tail = Encoding.UTF8.GetBytes("}");

    private static MessageBytes Framed(string payload) => new(s_head, Encoding.UTF8.GetBytes(payload), s_tail);

    [Fact]
    public void A_framed_message_is_its_head_body_and_tail_in_one_array_of_its_exact_length()
    {
        var message = Framed("""{"id":1}""");

        var bytes = new ExactLengthArrays().Of(message)!;

        Encoding.UTF8.GetString(bytes).ShouldBe("""{"schema":{"type":"struct"},"payload":{"id":1}}""");
        bytes.Length.ShouldBe(message.Length);
        bytes.ShouldBe(message.ToArray());
    }

    [Fact]
    public void A_message_of_a_length_seen_before_reuses_that_array_with_its_own_bytes()
    {
        var arrays = new ExactLengthArrays();

        var first = arrays.Of(Framed("""{"id":1}"""))!;
        var second = arrays.Of(Framed("""{"id":2}"""))!;
        var longer = arrays.Of(Framed("""{"id":10}"""))!;

        second.ShouldBeSameAs(first);
        Encoding.UTF8.GetString(second).ShouldEndWith("""{"id":2}}""");
        longer.ShouldNotBeSameAs(first);
        Encoding.UTF8.GetString(longer).ShouldEndWith("""{"id":10}}""");
    }

    [Fact]
    public void A_message_kept_whole_is_passed_as_it_is_and_no_message_is_null()
    {
        var whole = Encoding.UTF8.GetBytes("""{"id":1}""");
        var arrays = new ExactLengthArrays();

        arrays.Of(new MessageBytes(whole)).ShouldBeSameAs(whole);
        arrays.Of(null).ShouldBeNull();
    }
}
