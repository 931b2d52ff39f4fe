namespace RawGan.Model.Data;

/// <summary>Which half of MNIST: 60,000 training or 10,000 test images.</summary>
public enum MnistSplit
{
    /// <summary>train-images-idx3-ubyte / train-labels-idx1-ubyte.</summary>
    Train,

    /// <summary>t10k-images-idx3-ubyte / t10k-labels-idx1-ubyte.</summary>
    Test,
}

/// <summary>
/// MNIST (or any IDX pair of the same layout: N×rows×cols unsigned-byte images, N labels) held in memory as bytes,
/// scaled to [−1, 1] on read and padded with −1 (the background) to a square of <see cref="Height"/> pixels, centred
/// (28 → 32 adds two pixels on each side). One channel.
/// </summary>
public sealed class MnistDataset : IImageDataset
{
    /// <summary>The resolution MNIST is padded to by default (BigGAN's smallest configuration).</summary>
    public const int DefaultResolution = 32;

    private static readonly string[] DigitNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly int _rows, _cols, _top, _left;

    private MnistDataset(byte[] pixels, byte[] labels, int rows, int cols, int resolution, IReadOnlyList<string> classNames)
    {
        ClassNames = classNames;
        _pixels = pixels;
        _labels = labels;
        _rows = rows;
        _cols = cols;
        Height = Width = resolution;
        _top = (resolution - rows) / 2;
        _left = (resolution - cols) / 2;
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;

    /// <inheritdoc/>
    public int Channels => 1;

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int NumClasses => ClassNames.Count;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The IDX file names of a split, without a .gz suffix.</summary>
    public static (string Images, string Labels) FileNames(MnistSplit split) => split switch
    {
        MnistSplit.Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        MnistSplit.Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, null),
    };

    /// <summary>
    /// Loads a split from <paramref name="folder"/>, fetching MNIST into it first when its files are absent
    /// (see <see cref="MnistFetcher"/>). <paramref name="folder"/> defaults to <see cref="MnistFetcher.DefaultFolder"/>.
    /// </summary>
    public static MnistDataset LoadOrFetch(MnistSplit split, string? folder = null, int resolution = DefaultResolution, Action<string>? log = null)
    {
        folder ??= MnistFetcher.DefaultFolder;
        MnistFetcher.EnsureFiles(folder, log);
        return Load(folder, split, resolution);
    }

    /// <summary>
    /// Loads a split from <paramref name="folder"/>, which holds its two IDX files (plain or .gz). Other data sets
    /// in MNIST's layout (Fashion-MNIST) pass their <paramref name="classNames"/>; the default is the ten digits.
    /// </summary>
    public static MnistDataset Load(string folder, MnistSplit split, int resolution = DefaultResolution, IReadOnlyList<string>? classNames = null)
    {
        var (images, labels) = FileNames(split);
        string imagesPath = MnistFetcher.Find(folder, images)
            ?? throw new DataFormatException(Path.Combine(folder, images), $"IDX file not found (looked for {images} and {images}.gz).");
        string labelsPath = MnistFetcher.Find(folder, labels)
            ?? throw new DataFormatException(Path.Combine(folder, labels), $"IDX file not found (looked for {labels} and {labels}.gz).");
        return FromFiles(imagesPath, labelsPath, resolution, classNames);
    }

    /// <summary>Loads an images file (rank 3) and a labels file (rank 1) and checks that they agree; labels index <paramref name="classNames"/> (default: the digits).</summary>
    public static MnistDataset FromFiles(string imagesPath, string labelsPath, int resolution = DefaultResolution, IReadOnlyList<string>? classNames = null)
    {
        classNames ??= DigitNames;
        var images = IdxFile.Read(imagesPath, expectedRank: 3);
        var labels = IdxFile.Read(labelsPath, expectedRank: 1);
        int count = images.Dims[0], rows = images.Dims[1], cols = images.Dims[2];
        if (labels.Dims[0] != count)
            throw new DataFormatException(labelsPath, $"{labels.Dims[0]} labels, but {imagesPath} holds {count} images.");
        if (rows > resolution || cols > resolution)
            throw new DataFormatException(imagesPath, $"images are {rows}×{cols}, larger than the {resolution}×{resolution} they are padded to.");
        for (int i = 0; i < labels.Data.Length; i++)
        {
            if (labels.Data[i] >= classNames.Count)
                throw new DataFormatException(labelsPath, $"label {labels.Data[i]} of sample {i} is not a class 0–{classNames.Count - 1}.");
        }
        return new MnistDataset(images.Data, labels.Data, rows, cols, resolution, classNames);
    }

    /// <inheritdoc/>
    public int Read(int index, Span<float> pixels)
    {
        this.CheckRead(index, pixels);
        pixels.Fill(-1f);
        var image = _pixels.AsSpan(index * _rows * _cols, _rows * _cols);
        for (int r = 0; r < _rows; r++)
            PixelScale.ToUnit(image.Slice(r * _cols, _cols), pixels.Slice((_top + r) * Width + _left, _cols));
        return _labels[index];
    }
}
