using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// Runs <c>python/reference.py</c> with Debian's python3-cassandra 3.25 (the DataStax Python driver) and python3-lz4,
/// both installed by eng/setup.sh: the independent reference for protocol v5 envelopes and segments and for LZ4, which
/// the Node.js driver (protocol v4 at most, no compression) cannot give. <see cref="Decode"/> hands our bytes to the
/// driver's decoders.
/// </summary>
public sealed class PythonDriverReference
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<PythonDriverReference> _instance = new(Load);

    private PythonDriverReference(JsonElement root) => Root = root;

    public static PythonDriverReference Instance => _instance.Value;

    public JsonElement Root { get; }

    public byte[] V5Frame(string name) => Hex(Root.GetProperty("v5").GetProperty(name).GetProperty("frame"));

    public byte[] V5Segments(string name) => Hex(Root.GetProperty("v5").GetProperty(name).GetProperty("segments"));

    public byte[] V4Lz4Frame(string name) => Hex(Root.GetProperty("v4lz4").GetProperty(name));

    public byte[] Segments(string payload, bool lz4) => Hex(Root.GetProperty(lz4 ? "lz4segments" : "segments").GetProperty(payload));

    /// <summary>What the driver decodes from each (kind, bytes): kinds <c>segments</c>, <c>lz4segments</c>, <c>v4lz4body</c>.</summary>
    public static IReadOnlyList<JsonElement> Decode(params (string Kind, byte[] Bytes)[] inputs)
    {
        var request = new JsonArray([.. inputs.Select(i => (JsonNode)new JsonObject { ["kind"] = i.Kind, ["hex"] = Convert.ToHexString(i.Bytes) })]);
        var output = Run(["reference.py", "decode"], request.ToJsonString());
        using var document = JsonDocument.Parse(output);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    public static byte[] Hex(JsonElement element) => Convert.FromHexString(element.GetString()!);

    private static PythonDriverReference Load()
    {
        var output = Path.Combine(Path.GetTempPath(), $"sentinel-cql-python-reference-{Environment.ProcessId}.json");
        try
        {
            Run(["reference.py", output], null);
            using var document = JsonDocument.Parse(File.ReadAllText(output));
            return new PythonDriverReference(document.RootElement.Clone());
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string Run(IEnumerable<string> arguments, string? input)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: run eng/setup.sh (it installs python3-cassandra and python3-lz4)");
        }

        var start = new ProcessStartInfo(Python, arguments)
        {
            WorkingDirectory = Path.Combine(Path.GetDirectoryName(NodeDriverReference.NodeDirectory)!, "python"),
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(input ?? "");
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python reference.py did not finish within 2 minutes; stderr: {stderr.Result}");
        }

        return process.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"python reference.py exited {process.ExitCode} (run eng/setup.sh: it installs python3-cassandra and python3-lz4): {stderr.Result}");
    }
}
