using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace SentinelSync.Runtime;

/// <summary>
/// Sends grain calls to other silos over HTTP/2 (prior knowledge, no TLS: loopback or a private network).
/// The request is one compact JSON document: grain type, key, method and the argument array the generated
/// invocation writes; the answer is the result or the error's type and message. It also asks a silo for its
/// activations by grain type (<see cref="GetActivationsAsync"/>), over the same connections.
/// </summary>
internal sealed class RemoteGrainInvoker : IDisposable
{
    public const string Path = "/silo/invoke";

    public const string ActivationsPath = "/silo/activations";

    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly HttpClient _http;

    public RemoteGrainInvoker(TimeSpan callTimeout)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = callTimeout,
        };
    }

    public async Task<TResult> SendAsync<TGrainInterface, TResult, TInvocation>(MembershipEntry silo, GrainId grainId, TInvocation invocation)
        where TGrainInterface : IGrainWithStringKey
        where TInvocation : struct, IGrainInvocation<TGrainInterface, TResult>
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("type", grainId.Type);
            writer.WriteString("key", grainId.Key);
            writer.WriteString("method", invocation.Method.Name);
            writer.WritePropertyName("args");
            invocation.WriteArguments(writer, Catalog.Json);
            writer.WriteEndObject();
        }

        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = s_json;
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(new Uri(new Uri(silo.Address), Path), content).ConfigureAwait(false);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new TimeoutException($"Call {invocation.Method} to {grainId} on silo '{silo.Name}' got no answer within {_http.Timeout.TotalSeconds:0.#} s.", e);
        }

        using (response)
        {
            await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(stream).ConfigureAwait(false);
            var root = document.RootElement;
            if (root.GetProperty("ok").GetBoolean())
            {
                return root.TryGetProperty("result", out var result) && result.ValueKind != JsonValueKind.Null
                    ? result.Deserialize<TResult>(Catalog.Json)!
                    : default!;
            }

            var error = root.GetProperty("error");
            throw RemoteErrors.Recreate(error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!, silo.Name);
        }
    }

    /// <summary>
    /// The running activations of the silo at <paramref name="address"/>, by grain type. Fails with the
    /// transport's exception (or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// fires first); a silo that answers something other than the counts fails with <see cref="HttpRequestException"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> GetActivationsAsync(string address, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(new Uri(address), ActivationsPath), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return document.RootElement.TryGetProperty("grains", out var grains) && grains.ValueKind == JsonValueKind.Object
            ? grains.EnumerateObject().ToDictionary(g => g.Name, g => g.Value.GetInt32(), StringComparer.Ordinal)
            : throw new HttpRequestException($"{address}{ActivationsPath} answered without a 'grains' object.");
    }

    public void Dispose() => _http.Dispose();
}
