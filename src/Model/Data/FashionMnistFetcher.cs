namespace RawGan.Model.Data;

/// <summary>
/// Puts the four Fashion-MNIST IDX files into a folder without root rights: `apt-get download` fetches Debian's
/// <c>dataset-fashion-mnist</c> package (apt checks its signature chain) into a temporary folder, `dpkg-deb -x`
/// unpacks it there, and the files under <see cref="FashionMnistDataset.SystemFolder"/> inside it are copied out.
/// Where apt is not available, the error says what to install or download and where to put it.
/// </summary>
public static class FashionMnistFetcher
{
    /// <summary>The Debian package that ships the files.</summary>
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>Where the authors publish the files.</summary>
    public const string Homepage = "https://github.com/zalandoresearch/fashion-mnist";

    // A slow mirror gets its time; a hung apt-get must not hang training forever.
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Makes sure all four IDX files are in <paramref name="folder"/>, fetching the missing ones from the Debian
    /// package; throws <see cref="FileNotFoundException"/> with instructions when that is impossible.
    /// </summary>
    public static void EnsureFiles(string folder, Action<string>? log = null)
    {
        var missing = MnistFetcher.Missing(folder);
        if (missing.Count == 0) return;

        var temp = Path.Combine(Path.GetTempPath(), "rawgan-fashion-mnist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"Fashion-MNIST not found in {folder}; fetching it with `apt-get download {DebianPackage}` (about 30 MB)...");
            if (ExternalTool.Run("apt-get", ["download", DebianPackage], temp, ToolTimeout) is { } downloadFailure)
                throw new FileNotFoundException(Instructions(folder, missing, downloadFailure));
            var packages = Directory.GetFiles(temp, "*.deb");
            if (packages.Length != 1)
                throw new FileNotFoundException(Instructions(folder, missing, $"apt-get download left {packages.Length} .deb files, expected one"));
            var tree = Path.Combine(temp, "tree");
            if (ExternalTool.Run("dpkg-deb", ["-x", packages[0], tree], temp, ToolTimeout) is { } unpackFailure)
                throw new FileNotFoundException(Instructions(folder, missing, unpackFailure));
            CopyFiles(Path.Combine(tree, FashionMnistDataset.SystemFolder.TrimStart('/')), folder);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        missing = MnistFetcher.Missing(folder);
        if (missing.Count > 0)
            throw new FileNotFoundException(Instructions(folder, missing, $"the {DebianPackage} package did not contain them"));
        log?.Invoke($"Fashion-MNIST saved to {folder}.");
    }

    /// <summary>
    /// Copies the IDX files (plain or .gz) found in <paramref name="source"/> into <paramref name="folder"/>, each
    /// written to a temporary name and renamed, so an interrupted copy leaves no half file under the real name.
    /// Returns the names copied.
    /// </summary>
    public static IReadOnlyList<string> CopyFiles(string source, string folder)
    {
        Directory.CreateDirectory(folder);
        var copied = new List<string>();
        foreach (var name in MnistFetcher.FileNames)
        {
            if (MnistFetcher.Find(source, name) is not { } path) continue;
            var target = Path.Combine(folder, Path.GetFileName(path));
            var partial = target + ".partial";
            File.Copy(path, partial, overwrite: true);
            File.Move(partial, target, overwrite: true);
            copied.Add(Path.GetFileName(path));
        }
        return copied;
    }

    /// <summary>The message telling a user what to install, or which files to get and where to put them.</summary>
    public static string Instructions(string folder, IReadOnlyList<string> missing, string reason) =>
        $"Fashion-MNIST files missing from {folder} and not fetched ({reason}). Install Debian's package " +
        $"(`sudo apt-get install {DebianPackage}`, which puts them in {FashionMnistDataset.SystemFolder}), or download " +
        $"{string.Join(", ", missing)} (plain or .gz) from {Homepage} into {folder}, or set {MnistFetcher.FolderVariable} " +
        $"so that ${MnistFetcher.FolderVariable}/{FashionMnistDataset.Name} holds them.";
}
