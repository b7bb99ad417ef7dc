using SentinelSync.Replication.ClickHouse;

namespace SentinelSync.Tests.ClickHouse;

/// <summary>The ClickHouse sink's reused insert-body buffers: handed out empty, reused, bounded in size and number.</summary>
public sealed class ClickHouseBodyBuffersTests
{
    [Fact]
    public void A_returned_buffer_is_handed_out_again_empty_and_large_enough()
    {
        var buffers = new ClickHouseBodyBuffers();
        var first = buffers.Rent(1_000);
        first.Write(new byte[700]);
        buffers.Return(first);

        var again = buffers.Rent(5_000);
        again.ShouldBeSameAs(first);
        again.Length.ShouldBe(0);
        again.Position.ShouldBe(0);
        again.Capacity.ShouldBeGreaterThanOrEqualTo(5_000);
    }

    [Fact]
    public void A_buffer_that_grew_past_the_limit_is_not_kept()
    {
        var buffers = new ClickHouseBodyBuffers();
        var large = buffers.Rent(ClickHouseBodyBuffers.MaxKeptBytes + 1);
        buffers.Return(large);

        buffers.Rent(16).ShouldNotBeSameAs(large);
    }

    [Fact]
    public void At_most_the_limit_of_buffers_is_kept()
    {
        var buffers = new ClickHouseBodyBuffers();
        var rented = Enumerable.Range(0, ClickHouseBodyBuffers.MaxKept + 2).Select(_ => buffers.Rent(16)).ToList();
        rented.ForEach(buffers.Return);

        var again = Enumerable.Range(0, ClickHouseBodyBuffers.MaxKept + 2).Select(_ => buffers.Rent(16)).ToList();
        again.Count(rented.Contains).ShouldBe(ClickHouseBodyBuffers.MaxKept);
    }
}
