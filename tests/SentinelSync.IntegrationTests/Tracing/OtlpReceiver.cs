using System.Collections.Concurrent;
using System.Net;
using SentinelSync.Testing;

namespace SentinelSync.IntegrationTests.Tracing;

/// <summary>
/// A minimal OTLP/HTTP receiver on a free loopback port: accepts every POST, answers 200 with an empty body and
/// keeps the requests (path, content type, body) for the test to inspect.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    private OtlpReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<(string Path, string? ContentType, byte[] Body)> Requests { get; } = new();

    public static OtlpReceiver Start() => new(SentinelProcess.FreePortPair());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop then Close unregisters the prefix twice and the second time binds the port
        // again to do it, failing with "Address already in use" when another test has taken the port meanwhile.
        _listener.Close();
        await _serving;
    }
}
