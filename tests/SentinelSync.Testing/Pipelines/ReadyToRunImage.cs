using System.Reflection.PortableExecutable;

namespace SentinelSync.Testing;

/// <summary>
/// Whether an assembly carries ReadyToRun (precompiled) code, as a <c>PublishReadyToRun</c> publish and the image's
/// <c>sentinel.dll</c> do, or only IL that the JIT compiles at every start (a plain build). Benchmarks print it so
/// that a start-up figure says which of the two it measured.
/// </summary>
public static class ReadyToRunImage
{
    public static bool IsReadyToRun(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var reader = new PEReader(stream);
        CorHeader? cli;
        try
        {
            cli = reader.PEHeaders.CorHeader;
        }
        catch (BadImageFormatException e)
        {
            throw new BadImageFormatException($"{assemblyPath} is not a .NET assembly: {e.Message}", assemblyPath, e);
        }

        // Crossgen2 writes its native code's header into the CLI header's ManagedNativeHeader directory; IL-only
        // assemblies leave it empty.
        return (cli ?? throw new BadImageFormatException($"{assemblyPath} is not a .NET assembly (no CLI header).", assemblyPath))
            .ManagedNativeHeaderDirectory.Size > 0;
    }

    /// <summary>
    /// "ReadyToRun", "ReadyToRun, composite with the framework" (the image's self-contained publish, whose code is in
    /// one <c>*.r2r.dll</c> beside the assemblies) or "plain build (JIT at start)", for a benchmark's header.
    /// </summary>
    public static string Describe(string assemblyPath) =>
        !IsReadyToRun(assemblyPath) ? "plain build (JIT at start)"
        : File.Exists(Path.ChangeExtension(assemblyPath, ".r2r.dll")) ? "ReadyToRun, composite with the framework"
        : "ReadyToRun";
}
