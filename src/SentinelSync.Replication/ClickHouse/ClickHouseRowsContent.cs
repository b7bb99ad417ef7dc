using System.IO.Compression;
using System.Net;
using System.Text;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>
/// An insert body written while it is sent: the rows go through a 64 KiB writer (and gzip, when asked) straight
/// to the connection, so memory stays bounded by the buffers whatever the batch size. Not replayable: the
/// caller retries the whole apply, never the request alone.
/// </summary>
internal sealed class ClickHouseRowsContent : HttpContent
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly Action<TextWriter>? _writeRows;
    private readonly ReadOnlyMemory<byte> _written;
    private readonly bool _gzip;

    public ClickHouseRowsContent(Action<TextWriter> writeRows, bool gzip)
        : this(gzip)
    {
        _writeRows = writeRows;
    }

    /// <summary>A body written beforehand (UTF-8 rows), sent as it is or gzipped.</summary>
    public ClickHouseRowsContent(ReadOnlyMemory<byte> written, bool gzip)
        : this(gzip)
    {
        _written = written;
    }

    private ClickHouseRowsContent(bool gzip)
    {
        _gzip = gzip;
        Headers.ContentType = new("text/tab-separated-values") { CharSet = "utf-8" };
        if (gzip)
        {
            Headers.ContentEncoding.Add("gzip");
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None).ConfigureAwait(false);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var target = _gzip ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true) : stream;
        try
        {
            if (_writeRows is null)
            {
                await target.WriteAsync(_written, cancellationToken).ConfigureAwait(false);
                return;
            }

            var writer = new StreamWriter(target, s_utf8, 1 << 16, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                _writeRows(writer);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_gzip)
            {
                await target.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _written.Length;
        return _writeRows is null && !_gzip;
    }
}
