using System.Text;
using SentinelSync.Replication.Postgres;

namespace SentinelSync.Tests.Postgres.Source;

public sealed class CopyChunkReadingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(97)]
    [InlineData(65_536)]
    public void Chunks_hold_every_byte_once_in_whole_lines_whatever_each_read_returns(int bytesPerRead)
    {
        // Rows of multi-byte characters of many lengths (so cuts land everywhere), one longer than two chunks.
        var text = new StringBuilder();
        for (var i = 0; i < 40_000; i++)
        {
            text.Append(i).Append("\té 日本 🎉 ").Append('x', i % 211).Append('\n');
            if (i == 20_000)
            {
                text.Append("-1\t").Append('日', (PostgresSnapshotReader.ChunkBytes * 2 / 3) + 17).Append('\n');
            }
        }

        var utf8 = Encoding.UTF8.GetBytes(text.ToString());
        var chunks = new List<(byte[] Utf8, int Rows)>();

        PostgresSnapshotReader.ReadCopyChunks(new TrickleStream(utf8, bytesPerRead), chunks.Add);

        chunks.Count.ShouldBeGreaterThan(3, "the text spans several chunks");
        chunks.ShouldAllBe(c => c.Utf8.Length > 0 && c.Utf8[c.Utf8.Length - 1] == (byte)'\n', "every chunk ends after a whole line");
        chunks.ShouldAllBe(c => c.Rows == c.Utf8.Count(b => b == (byte)'\n'), "each chunk counts its own lines");
        chunks.Sum(c => c.Rows).ShouldBe(40_001);
        chunks.SelectMany(c => c.Utf8).ToArray().AsSpan().SequenceEqual(utf8).ShouldBeTrue("the chunks joined are the stream, byte for byte");
        chunks.ShouldAllBe(c => Encoding.UTF8.GetString(c.Utf8).Length > 0 && !Encoding.UTF8.GetString(c.Utf8).Contains('\uFFFD'), "no chunk cuts a character");
        chunks.Max(c => c.Utf8.Length).ShouldBeGreaterThan(PostgresSnapshotReader.ChunkBytes, "the long row came whole in one chunk");
    }

    [Fact]
    public void An_empty_stream_gives_no_chunk()
    {
        var chunks = new List<(byte[] Utf8, int Rows)>();

        PostgresSnapshotReader.ReadCopyChunks(new TrickleStream([], 10), chunks.Add);

        chunks.ShouldBeEmpty();
    }

    /// <summary>A stream that returns at most a given number of bytes per read, like a COPY stream returning one message.</summary>
    private sealed class TrickleStream(byte[] data, int bytesPerRead) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, bytesPerRead));
    }
}
