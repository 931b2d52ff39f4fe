namespace RawGan.Model.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test 28×28 grey images of ten kinds
/// of clothing, in MNIST's IDX layout and under MNIST's file names, so <see cref="MnistDataset"/> reads it (padded
/// to 32×32 with the background). The files are looked for, in order, in the folder the caller names, in
/// $RAWGAN_DATA/fashion-mnist, in Debian's <c>dataset-fashion-mnist</c> package folder and in
/// ~/.cache/rawgan/fashion-mnist; when none has them, <see cref="FashionMnistFetcher"/> fetches the package into the cache.
/// </summary>
public static class FashionMnistDataset
{
    /// <summary>The data set's name on the command line and in run configurations.</summary>
    public const string Name = "fashion-mnist";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four IDX files (gzip-compressed).</summary>
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten classes, indexed by label, as the data set's authors name them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>~/.cache/rawgan/fashion-mnist: where a fetch puts the files, and where statistics are cached.</summary>
    public static string CacheFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "rawgan", Name);

    /// <summary>The folders searched when no folder is named: $RAWGAN_DATA/fashion-mnist (when set), the package folder, the cache.</summary>
    public static IReadOnlyList<string> SearchFolders()
    {
        var folders = new List<string>();
        var root = Environment.GetEnvironmentVariable(MnistFetcher.FolderVariable);
        if (!string.IsNullOrWhiteSpace(root)) folders.Add(Path.Combine(Path.GetFullPath(root), Name));
        folders.Add(SystemFolder);
        folders.Add(CacheFolder);
        return folders;
    }

    /// <summary>
    /// The folder that holds all four IDX files: <paramref name="folder"/> when given (fetching into it when files are
    /// missing), else the first of <see cref="SearchFolders"/> that has them, else the cache after a fetch.
    /// </summary>
    public static string Locate(string? folder = null, Action<string>? log = null)
    {
        if (folder is null)
        {
            var found = SearchFolders().FirstOrDefault(f => MnistFetcher.Missing(f).Count == 0);
            if (found is not null) return found;
            folder = CacheFolder;
        }
        FashionMnistFetcher.EnsureFiles(folder, log);
        return folder;
    }

    /// <summary>A split of Fashion-MNIST, located (and fetched when missing) as <see cref="Locate"/> does.</summary>
    public static MnistDataset LoadOrFetch(MnistSplit split, string? folder = null, int resolution = MnistDataset.DefaultResolution, Action<string>? log = null) =>
        MnistDataset.Load(Locate(folder, log), split, resolution, ClassNames);
}
