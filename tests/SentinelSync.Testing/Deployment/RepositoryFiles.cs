namespace SentinelSync.Testing.Deployment;

/// <summary>Files of the repository the tests run from (found by walking up to <c>SentinelSync.sln</c>).</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "SentinelSync.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SentinelSync.sln above {AppContext.BaseDirectory}: the tests must run from the repository's build output.");
    });

    public static string Root => s_root.Value;

    /// <summary>The full path of <paramref name="relative"/> (forward slashes) in the repository; it must exist.</summary>
    public static string Path(string relative)
    {
        var path = System.IO.Path.Combine(Root, relative);
        return File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new FileNotFoundException($"{relative} is not in the repository ({Root})", path);
    }

    public static string Read(string relative) => File.ReadAllText(Path(relative));
}
