using System.Diagnostics;
using System.Text.Json;

namespace SentinelSync.Tests.Cassandra;

/// <summary>
/// Runs <c>node/reference.js</c> once per test run: the DataStax Node.js driver (cassandra-driver 4.10, installed by
/// <c>npm ci</c> in eng/setup.sh) sends every request type to a fake node and decodes response frames built with its
/// own writer. Its output is what the C# client's bytes are compared with.
/// </summary>
public sealed class NodeDriverReference
{
    private static readonly Lazy<NodeDriverReference> _instance = new(Load);

    private NodeDriverReference(JsonElement root)
    {
        Requests = root.GetProperty("requests").EnumerateObject()
            .ToDictionary(p => p.Name, p => (IReadOnlyList<byte[]>)[.. p.Value.EnumerateArray().Select(f => Convert.FromHexString(f.GetString()!))]);
        Responses = root.GetProperty("responses").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => (Convert.FromHexString(r.GetProperty("hex").GetString()!), r.GetProperty("driver").Clone()));
        Routing = [.. root.GetProperty("routing").EnumerateArray().Select(r => (r.GetProperty("partitionKey").GetString()!, r.GetProperty("row").GetInt32(),
            Convert.FromHexString(r.GetProperty("key").GetString()!), long.Parse(r.GetProperty("token").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))];
        Tokens = [.. root.GetProperty("tokens").EnumerateArray().Select(t => (Convert.FromHexString(t.GetProperty("key").GetString()!), long.Parse(t.GetProperty("token").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))];
    }

    public static NodeDriverReference Instance => _instance.Value;

    /// <summary>The frames the driver wrote for each case, in order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<byte[]>> Requests { get; }

    /// <summary>A response frame built by the driver's writer, and what the driver decoded from it.</summary>
    public IReadOnlyDictionary<string, (byte[] Frame, JsonElement Driver)> Responses { get; }

    public IReadOnlyList<(byte[] Key, long Token)> Tokens { get; }

    /// <summary>Routing keys of compound partition keys (columns comma-separated, in partition-key order) for rows of node/routing.js.</summary>
    public IReadOnlyList<(string PartitionKey, int Row, byte[] Key, long Token)> Routing { get; }

    /// <summary>The single frame of a request case, with its stream id set to 0 (the driver picks its own ids).</summary>
    public byte[] Request(string name, int index = 0)
    {
        if (!Requests.TryGetValue(name, out var frames) || frames.Count <= index)
        {
            throw new KeyNotFoundException($"the Node driver reference has no request '{name}' #{index}");
        }

        var frame = (byte[])frames[index].Clone();
        frame[2] = 0;
        frame[3] = 0;
        return frame;
    }

    public static string NodeDirectory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "SentinelSync.sln")))
                {
                    return Path.Combine(directory.FullName, "tests", "SentinelSync.Tests", "Cassandra", "node");
                }
            }

            throw new InvalidOperationException($"SentinelSync.sln not found above {AppContext.BaseDirectory}");
        }
    }

    private static NodeDriverReference Load()
    {
        var directory = NodeDirectory;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "cassandra-driver")))
        {
            throw new InvalidOperationException($"cassandra-driver is not installed in {directory}: run eng/setup.sh (it runs 'npm ci' there)");
        }

        var output = Path.Combine(Path.GetTempPath(), $"sentinel-cql-reference-{Environment.ProcessId}.json");
        var start = new ProcessStartInfo("node", ["reference.js", output])
        {
            WorkingDirectory = directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started (is Node.js 20 installed?)");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node reference.js did not finish within 2 minutes; stderr: {stderr.Result}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node reference.js exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(output));
            return new NodeDriverReference(document.RootElement);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
