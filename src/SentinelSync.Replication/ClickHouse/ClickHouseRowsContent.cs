using System.IO.Compression;
using System.Net;

namespace SentinelSync.Replication.ClickHouse;

/// <summary>An insert body written beforehand (UTF-8 TabSeparated rows), sent as it is or gzipped.</summary>
internal sealed class ClickHouseRowsContent : HttpContent
{
    private readonly ReadOnlyMemory<byte> _written;
    private readonly bool _gzip;

    public ClickHouseRowsContent(ReadOnlyMemory<byte> written, bool gzip)
    {
        _written = written;
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
            await target.WriteAsync(_written, cancellationToken).ConfigureAwait(false);
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
        return !_gzip;
    }
}
