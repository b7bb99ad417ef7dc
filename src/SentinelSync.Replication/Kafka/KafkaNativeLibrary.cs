using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Loads the native Kafka client, librdkafka, once per process. Confluent.Kafka's own native
/// package (librdkafka.redist) is not available on our build machines, so we load Debian's
/// library (package <c>librdkafka-dev</c>) or the file named by <see cref="PathVariable"/>.
/// Call <see cref="EnsureLoaded"/> before the first producer or consumer is built.
/// </summary>
public static class KafkaNativeLibrary
{
    /// <summary>Environment variable with the full path of librdkafka.so; overrides the probing.</summary>
    public const string PathVariable = "SENTINEL_LIBRDKAFKA";

    /// <summary>Where Debian installs librdkafka (multiarch directories, the soname first).</summary>
    public static IReadOnlyList<string> DebianPaths { get; } =
    [
        "/usr/lib/x86_64-linux-gnu/librdkafka.so.1",
        "/usr/lib/x86_64-linux-gnu/librdkafka.so",
        "/usr/lib/aarch64-linux-gnu/librdkafka.so.1",
        "/usr/lib/aarch64-linux-gnu/librdkafka.so",
    ];

    private static readonly Lock _gate = new();
    private static string? _loadedPath;
    private static string? _resolvedPath;
    private static bool _resolverInstalled;

    /// <summary>
    /// Loads librdkafka unless already loaded and returns the path it was loaded from. Uses
    /// <see cref="PathVariable"/> when set (and only that path), Debian's paths otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">The library is missing or cannot be loaded.</exception>
    public static string EnsureLoaded()
    {
        lock (_gate)
        {
            if (_loadedPath is not null)
            {
                return _loadedPath;
            }

            var configured = Environment.GetEnvironmentVariable(PathVariable);
            _loadedPath = Load(string.IsNullOrWhiteSpace(configured) ? DebianPaths : [configured]);
            return _loadedPath;
        }
    }

    /// <summary>
    /// Loads librdkafka from the first existing file of <paramref name="candidates"/>. Once a
    /// library is loaded in the process, Confluent.Kafka keeps it: a later load of another existing
    /// file does nothing.
    /// </summary>
    internal static string Load(IReadOnlyList<string> candidates)
    {
        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw CannotLoad(candidates, "no such file", innerException: null);
        try
        {
            lock (_gate)
            {
                InstallResolver(path);
            }

            Library.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException)
        {
            throw CannotLoad([path], ex.Message, ex);
        }

        return path;
    }

    /// <summary>
    /// Confluent.Kafka loads a user-specified path with <c>dlopen</c> imported from "libdl", a name
    /// that only exists with libc6-dev: since glibc 2.34 it is the soname libdl.so.2 (a stub over
    /// libc). The resolver maps that name, and "librdkafka" to the file we chose, for its assembly.
    /// </summary>
    private static void InstallResolver(string path)
    {
        _resolvedPath ??= path;
        if (_resolverInstalled)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        _resolverInstalled = true;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName == "libdl")
        {
            return NativeLibrary.TryLoad("libdl.so.2", out var libdl) ? libdl : IntPtr.Zero;
        }

        if (libraryName == "librdkafka" && _resolvedPath is { } rdkafka)
        {
            return NativeLibrary.TryLoad(rdkafka, out var handle) ? handle : IntPtr.Zero;
        }

        // Anything else: the runtime's default probing.
        return IntPtr.Zero;
    }

    private static InvalidOperationException CannotLoad(IReadOnlyList<string> tried, string reason, Exception? innerException) =>
        new(
            $"Cannot load the native Kafka client library librdkafka ({reason}; tried {string.Join(", ", tried)}). "
            + $"Install it with `apt-get install librdkafka-dev` (Debian), or set {PathVariable} to the full path of librdkafka.so.",
            innerException);
}
