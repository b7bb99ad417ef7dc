using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SentinelSync.Testing.SchemaRegistry;

/// <summary>
/// A STAND-IN for Confluent Schema Registry, not the registry: an HTTP listener on loopback implementing only the REST
/// endpoints Confluent's .NET client (2.16) calls for Avro serialization, as the registry's API documentation specifies
/// them: <c>POST /subjects/{subject}/versions</c> (register; the same schema text gets the same id in every subject),
/// <c>POST /subjects/{subject}</c> (look a schema up), <c>GET /schemas/ids/{id}</c>,
/// <c>GET /subjects/{subject}/versions</c>, <c>GET /subjects/{subject}/versions/{version|latest}</c>,
/// <c>GET /subjects</c> and <c>GET|PUT /config[/{subject}]</c>; <c>/associations/...</c> answers 404 as a registry
/// without associations does. Errors are the registry's shape,
/// <c>{"error_code": 40401, "message": ...}</c>. It does NOT check compatibility (a real registry refuses an
/// incompatible version with 409; tests check BACKWARD compatibility by Avro schema resolution themselves), keeps
/// nothing on disk, and knows no schema references, contexts or modes. A real registry is used when
/// <see cref="RegistryVariable"/> is set.
/// </summary>
public sealed class SchemaRegistryStandIn : IAsyncDisposable
{
    /// <summary>URL of a real Schema Registry; tests marked with it run against that instead of the stand-in.</summary>
    public const string RegistryVariable = "SENTINEL_TEST_SCHEMA_REGISTRY";

    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly Lock _gate = new();
    private readonly List<string> _schemas = [];
    private readonly Dictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unhandled = new();
    private string _compatibility = "BACKWARD";

    private SchemaRegistryStandIn(int port)
    {
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Url { get; }

    /// <summary>When set, registrations are refused with 409 as a registry refuses an incompatible schema.</summary>
    public bool RefuseRegistrations { get; set; }

    /// <summary>Requests the stand-in does not implement (method and path): a test asserts there were none.</summary>
    public IReadOnlyCollection<string> Unhandled => _unhandled;

    public static SchemaRegistryStandIn Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new SchemaRegistryStandIn(SentinelProcess.FreePortPair());
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The free port was taken meanwhile: another one.
            }
        }
    }

    /// <summary>The schema ids registered under <paramref name="subject"/>, by version (version 1 first).</summary>
    public IReadOnlyList<int> Versions(string subject)
    {
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out var ids) ? [.. ids] : [];
        }
    }

    /// <summary>The schema text of <paramref name="id"/>.</summary>
    public string Schema(int id)
    {
        lock (_gate)
        {
            return _schemas[id - 1];
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            int status;
            JsonNode? body;
            try
            {
                (status, body) = Answer(context.Request);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException)
            {
                (status, body) = (422, Error(42201, $"stand-in could not read the request: {e.Message}"));
            }

            var bytes = Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "null");
            context.Response.StatusCode = status;
            context.Response.ContentType = ContentType;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private (int, JsonNode?) Answer(HttpListenerRequest request)
    {
        var parts = request.Url!.AbsolutePath.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var method = request.HttpMethod;
        lock (_gate)
        {
            switch (parts)
            {
                case ["subjects"] when method == "GET":
                    return (200, new JsonArray([.. _subjects.Keys.Select(s => (JsonNode)s)]));
                case ["subjects", var subject, "versions"] when method == "POST":
                    return Register(subject, ReadSchema(request));
                case ["subjects", var subject, "versions"] when method == "GET":
                    return _subjects.TryGetValue(subject, out var ids)
                        ? (200, new JsonArray([.. Enumerable.Range(1, ids.Count).Select(v => (JsonNode)v)]))
                        : (404, Error(40401, $"Subject '{subject}' not found."));
                case ["subjects", var subject, "versions", var version] when method == "GET":
                    return Version(subject, version);
                case ["subjects", var subject] when method == "POST":
                    return Lookup(subject, ReadSchema(request));
                case ["schemas", "ids", var id] when method == "GET":
                    return int.TryParse(id, out var n) && n >= 1 && n <= _schemas.Count
                        ? (200, new JsonObject { ["schema"] = _schemas[n - 1] })
                        : (404, Error(40403, $"Schema {id} not found"));
                case ["associations", ..]:
                    // Client 2.16 asks for topic associations first (its default subject strategy) and falls back to
                    // TopicNameStrategy on 404; the stand-in answers as a registry without that API does.
                    return (404, Error(404, "HTTP 404 Not Found"));
                case ["config", ..] when method == "GET":
                    return (200, new JsonObject { ["compatibilityLevel"] = _compatibility });
                case ["config", ..] when method == "PUT":
                    using (var update = JsonDocument.Parse(new StreamReader(request.InputStream).ReadToEnd()))
                    {
                        _compatibility = update.RootElement.GetProperty("compatibility").GetString()!;
                    }

                    return (200, new JsonObject { ["compatibility"] = _compatibility });
            }
        }

        _unhandled.Enqueue($"{method} {request.Url.PathAndQuery}");
        return (404, Error(404, $"the schema registry stand-in does not implement {method} {request.Url.AbsolutePath}"));
    }

    private (int, JsonNode?) Register(string subject, string schema)
    {
        if (RefuseRegistrations)
        {
            return (409, Error(409, "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\" (stand-in: RefuseRegistrations)"));
        }

        var id = _schemas.IndexOf(schema) + 1;
        if (id == 0)
        {
            _schemas.Add(schema);
            id = _schemas.Count;
        }

        if (!_subjects.TryGetValue(subject, out var ids))
        {
            _subjects[subject] = ids = [];
        }

        if (!ids.Contains(id))
        {
            ids.Add(id);
        }

        return (200, new JsonObject { ["id"] = id });
    }

    private (int, JsonNode?) Lookup(string subject, string schema)
    {
        if (!_subjects.TryGetValue(subject, out var ids))
        {
            return (404, Error(40401, $"Subject '{subject}' not found."));
        }

        var version = ids.FindIndex(id => _schemas[id - 1] == schema) + 1;
        return version == 0 ? (404, Error(40403, "Schema not found")) : (200, Described(subject, version, ids[version - 1]));
    }

    private (int, JsonNode?) Version(string subject, string version)
    {
        if (!_subjects.TryGetValue(subject, out var ids))
        {
            return (404, Error(40401, $"Subject '{subject}' not found."));
        }

        var number = version == "latest" ? ids.Count : int.TryParse(version, out var v) ? v : 0;
        return number >= 1 && number <= ids.Count
            ? (200, Described(subject, number, ids[number - 1]))
            : (404, Error(40402, $"Version {version} not found."));
    }

    private JsonObject Described(string subject, int version, int id) =>
        new() { ["subject"] = subject, ["version"] = version, ["id"] = id, ["schema"] = _schemas[id - 1] };

    private static string ReadSchema(HttpListenerRequest request)
    {
        using var body = JsonDocument.Parse(new StreamReader(request.InputStream).ReadToEnd());
        if (body.RootElement.TryGetProperty("schemaType", out var type) && type.GetString() is { } t && t != "AVRO")
        {
            throw new FormatException($"the stand-in keeps Avro schemas only, not {t}");
        }

        return body.RootElement.GetProperty("schema").GetString()!;
    }

    private static JsonObject Error(int code, string message) => new() { ["error_code"] = code, ["message"] = message };

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop then Close unregisters the prefix twice and the second time binds the port
        // again to do it, failing with "Address already in use" when another test has taken the port meanwhile.
        _listener.Close();
        await _serving;
    }
}
