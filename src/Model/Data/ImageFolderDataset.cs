using RawGan.Model.Images;
using SkiaSharp;

namespace RawGan.Model.Data;

/// <summary>
/// Images in a folder with one subfolder per class (torchvision's ImageFolder layout): classes are the subfolder
/// names in ordinal order, labelled 0, 1, ...; samples are ordered by class, then by file name. Each image is
/// decoded, centre-cropped to a square and resized to <see cref="Height"/> pixels (<see cref="SquareImage"/>) on
/// first read; the 8-bit result is cached in memory unless caching is turned off, so later epochs skip decoding.
/// </summary>
public sealed class ImageFolderDataset : IImageDataset
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    private readonly string[] _files;
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly byte[]?[]? _cache;

    /// <summary>
    /// Indexes <paramref name="root"/>; images become <paramref name="channels"/>×R×R with R =
    /// <paramref name="resolution"/>. Every file's header is decoded here, so that a corrupt or foreign file stops a
    /// run before its first step: the files that fail are listed in a <see cref="DataFormatException"/>, or, with
    /// <paramref name="skipBadImages"/>, left out and listed through <paramref name="log"/>. Also throws for a
    /// missing root, no class folders, or a class folder without (decodable) images.
    /// </summary>
    public ImageFolderDataset(string root, int resolution, int channels = 3, bool cache = true, bool skipBadImages = false, Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 1);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 (grayscale) or 3 (RGB) channels.");
        if (!Directory.Exists(root)) throw new DataFormatException(root, "image folder not found.");
        var classFolders = Directory.GetDirectories(root).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classFolders.Length == 0) throw new DataFormatException(root, "no class subfolders (expected one subfolder of images per class).");

        var perClass = classFolders.Select(folder => Directory.GetFiles(folder)
                .Where(f => Extensions.Contains(Path.GetExtension(f)))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray()).ToArray();
        var bad = Undecodable(perClass.SelectMany(f => f).ToArray());
        if (bad.Count > 0)
        {
            int total = perClass.Sum(f => f.Length);
            string list = string.Join(", ", bad.Take(10).Select(f => Path.GetRelativePath(root, f))) + (bad.Count > 10 ? $" and {bad.Count - 10} more" : "");
            if (!skipBadImages)
                throw new DataFormatException(root, $"{bad.Count} of {total} images cannot be decoded (corrupt, truncated or not images): {list}. " +
                                                    "Remove or replace them, or pass --skip-bad-images to leave them out.");
            log?.Invoke($"Skipping {bad.Count} of {total} images in {root} that cannot be decoded: {list}.");
        }

        var files = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classFolders.Length; label++)
        {
            var images = perClass[label].Except(bad, StringComparer.Ordinal).ToArray();
            if (images.Length == 0)
                throw new DataFormatException(classFolders[label], $"class folder without {(perClass[label].Length > 0 ? "decodable " : "")}images ({string.Join(", ", Extensions)}).");
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Length));
        }

        _files = [.. files];
        _labels = [.. labels];
        _classNames = classFolders.Select(d => Path.GetFileName(d)).ToArray();
        _cache = cache ? new byte[]?[_files.Length] : null;
        Channels = channels;
        Height = Width = resolution;
    }

    /// <inheritdoc/>
    public int Count => _files.Length;

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int NumClasses => _classNames.Length;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The file of sample <paramref name="index"/>.</summary>
    public string FileOf(int index) => _files[index];

    /// <inheritdoc/>
    public int Read(int index, Span<float> pixels)
    {
        this.CheckRead(index, pixels);
        var bytes = _cache is null ? null : Volatile.Read(ref _cache[index]);
        if (bytes is null)
        {
            bytes = Decode(index);
            // Two threads decoding the same file at once would only waste work: their results are equal.
            if (_cache is not null) Volatile.Write(ref _cache[index], bytes);
        }
        PixelScale.ToUnit(bytes, pixels);
        return _labels[index];
    }

    // The files whose header Skia cannot decode, in ordinal order; reading headers only, in parallel, costs little next to training.
    private static List<string> Undecodable(string[] files)
    {
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(files, file =>
        {
            try
            {
                using var codec = SKCodec.Create(file);
                if (codec is null || codec.Info.Width < 1 || codec.Info.Height < 1) bad.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                bad.Add(file);
            }
        });
        return bad.Order(StringComparer.Ordinal).ToList();
    }

    private byte[] Decode(int index)
    {
        try
        {
            return SquareImage.Load(_files[index], Height, Channels);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(_files[index], "cannot be decoded as an image (corrupt, truncated or an unsupported format).", e);
        }
    }
}
