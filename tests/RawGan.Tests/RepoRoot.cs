namespace RawGan.Tests;

/// <summary>The repository root, found by walking up from the test binaries to RawGan.sln.</summary>
internal static class RepoRoot
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RawGan.sln"))) return dir.FullName;
        }
        return null;
    });

    /// <summary>
    /// The root; outside a checkout (the self-contained test bundle on a GPU server) the calling test is
    /// reported as skipped, since what it checks was already checked where the sources are.
    /// </summary>
    public static string Path => Root.Value ?? Ignore();

    private static string Ignore()
    {
        Assert.Ignore($"Not in a RawGan checkout (no RawGan.sln above {AppContext.BaseDirectory}); source checks run in CI.");
        return "";
    }
}
