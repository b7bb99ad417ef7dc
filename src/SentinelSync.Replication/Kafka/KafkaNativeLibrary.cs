using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace SentinelSync.Replication.Kafka;

/// <summary>
/// Loads the native Kafka client, librdkafka, once per process, always from the file we choose: the
/// librdkafka.redist 2.16 build that ships with the application (or <see cref="PathVariable"/>).
/// Call <see cref="EnsureLoaded"/> before the first producer, consumer or mock cluster is built.
/// </summary>
/// <remarks>
/// Left to itself the runtime would probe <c>runtimes/linux-x64/native/librdkafka.so</c>, which needs
/// libsasl2.so.3 (absent on Debian 12), and then fall back to whatever the system has: with Debian's
/// librdkafka1 2.0.2 installed that older library wins and <c>Consume</c> fails on a missing entry point.
/// So the redist's glibc-only <c>centos8-librdkafka.so</c> is loaded by full path, and a DllImport resolver
/// maps the name "librdkafka" to that same file for Confluent.Kafka and for our own mock-cluster bindings. The
/// resolver is installed when this assembly loads, so a Confluent client built before <see cref="EnsureLoaded"/>
/// gets the bundled file too (or a <see cref="DllNotFoundException"/> saying why), never the system's.
/// </remarks>
public static class KafkaNativeLibrary
{
    /// <summary>Environment variable with the full path of a librdkafka.so to load instead of the bundled one.</summary>
    public const string PathVariable = "SENTINEL_LIBRDKAFKA";

    /// <summary>The librdkafka major.minor this build is made and tested for (the librdkafka.redist version).</summary>
    public const string ExpectedVersionPrefix = "2.16.";

    private static readonly Lock _gate = new();
    private static string? _loadedPath;
    private static IntPtr _handle;

    /// <summary>
    /// The bundled library files, relative to the application directory, in the order they are tried:
    /// a portable build or publish keeps the package's <c>runtimes/</c> tree, a RID-specific publish
    /// flattens the natives into the application directory.
    /// </summary>
    public static IReadOnlyList<string> BundledCandidates(string baseDirectory) => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 =>
        [
            Path.Combine(baseDirectory, "runtimes", "linux-arm64", "native", "librdkafka.so"),
            Path.Combine(baseDirectory, "librdkafka.so"),
        ],
        _ =>
        [
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", "centos8-librdkafka.so"),
            Path.Combine(baseDirectory, "centos8-librdkafka.so"),
        ],
    };

    /// <summary>
    /// Loads librdkafka unless already loaded and returns the path it was loaded from: the file named by
    /// <see cref="PathVariable"/> when set (and only that one), else the bundled file.
    /// </summary>
    /// <exception cref="InvalidOperationException">The library is missing or cannot be loaded.</exception>
    public static string EnsureLoaded() => Load(Candidates());

    /// <summary><see cref="PathVariable"/>'s file when set (and only that one), else the bundled candidates.</summary>
    private static IReadOnlyList<string> Candidates()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        return string.IsNullOrWhiteSpace(configured) ? BundledCandidates(AppContext.BaseDirectory) : [configured];
    }

    /// <summary>The loaded library's version string, e.g. "2.16.0" (loads it first if needed).</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Library.VersionString;
        }
    }

    /// <summary>
    /// Loads librdkafka from the first existing file of <paramref name="candidates"/>. Once a library is
    /// loaded in the process it stays: a later call with other files returns the first file's path.
    /// </summary>
    internal static string Load(IReadOnlyList<string> candidates)
    {
        var path = LoadHandle(candidates);
        try
        {
            // Confluent.Kafka binds its functions now (through the resolver, to the handle loaded above).
            Library.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or InvalidOperationException)
        {
            throw CannotLoad([path], ex.Message, ex);
        }

        return path;
    }

    private static string LoadHandle(IReadOnlyList<string> candidates)
    {
        var path = candidates.FirstOrDefault(File.Exists)
            ?? throw CannotLoad(candidates, "no such file", innerException: null);
        lock (_gate)
        {
            if (_handle != IntPtr.Zero)
            {
                return _loadedPath!;
            }

            try
            {
                _handle = NativeLibrary.Load(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                throw CannotLoad([path], ex.Message, ex);
            }

            _loadedPath = path;
            return path;
        }
    }

    /// <summary>Installs the resolver as soon as this assembly loads, before any Kafka client can bind librdkafka.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Only a resolver installed before the first binding keeps a system librdkafka out of the process.")]
    internal static void InstallResolver()
    {
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(KafkaNativeLibrary).Assembly, Resolve);
    }

    /// <summary>
    /// Confluent.Kafka binds "librdkafka" by DllImport and loads a user-specified path with <c>dlopen</c>
    /// imported from "libdl", a name that only exists with libc6-dev (since glibc 2.34 the soname is
    /// libdl.so.2, a stub over libc). Both names are mapped here; anything else is probed as usual.
    /// </summary>
    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        "librdkafka" => BundledHandle(),
        "libdl" => NativeLibrary.TryLoad("libdl.so.2", out var libdl) ? libdl : IntPtr.Zero,
        _ => IntPtr.Zero,
    };

    /// <summary>The chosen library's handle, loading it on first use; never falls back to the system's probing.</summary>
    private static IntPtr BundledHandle()
    {
        try
        {
            LoadHandle(Candidates());
            return _handle;
        }
        catch (InvalidOperationException e)
        {
            throw new DllNotFoundException(e.Message, e);
        }
    }

    private static InvalidOperationException CannotLoad(IReadOnlyList<string> tried, string reason, Exception? innerException) =>
        new(
            $"Cannot load the native Kafka client library librdkafka ({reason}; tried {string.Join(", ", tried)}). "
            + "It ships with the application (NuGet package librdkafka.redist, runtimes/<rid>/native/): rebuild or republish, "
            + $"or set {PathVariable} to the full path of a librdkafka.so {ExpectedVersionPrefix}x.",
            innerException);
}
