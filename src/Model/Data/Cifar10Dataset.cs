namespace RawGan.Model.Data;

/// <summary>
/// CIFAR-10 in its binary form (cifar-10-batches-bin): each record is one label byte followed by 3,072 pixel bytes,
/// the red, green and blue 32×32 planes in turn (already channel-major). Held in memory; scaled to [−1, 1] on read.
/// Class names come from batches.meta.txt when it is present, else the standard ten.
/// </summary>
public sealed class Cifar10Dataset : IImageDataset
{
    /// <summary>Side of a CIFAR image.</summary>
    public const int Resolution = 32;

    /// <summary>Pixel bytes per record.</summary>
    public const int ImageBytes = 3 * Resolution * Resolution;

    /// <summary>Bytes per record: the label and the pixels.</summary>
    public const int RecordBytes = 1 + ImageBytes;

    /// <summary>The training batches, in order.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>The class-name file that ships with the batches.</summary>
    public const string MetaFile = "batches.meta.txt";

    /// <summary>The ten classes, by label, as batches.meta.txt lists them.</summary>
    public static IReadOnlyList<string> StandardClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    private readonly byte[][] _batches;
    private readonly int[] _batchStarts;
    private readonly string[] _classNames;

    private Cifar10Dataset(byte[][] batches, string[] classNames)
    {
        _batches = batches;
        _classNames = classNames;
        _batchStarts = new int[batches.Length + 1];
        for (int b = 0; b < batches.Length; b++) _batchStarts[b + 1] = _batchStarts[b] + batches[b].Length / RecordBytes;
    }

    /// <inheritdoc/>
    public int Count => _batchStarts[^1];

    /// <inheritdoc/>
    public int Channels => 3;

    /// <inheritdoc/>
    public int Height => Resolution;

    /// <inheritdoc/>
    public int Width => Resolution;

    /// <inheritdoc/>
    public int NumClasses => _classNames.Length;

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>
    /// Loads the training (five batches) or test split from <paramref name="folder"/>, or from its
    /// cifar-10-batches-bin subfolder (the folder the official archive unpacks to).
    /// </summary>
    public static Cifar10Dataset Load(string folder, bool train = true)
    {
        var nested = Path.Combine(folder, "cifar-10-batches-bin");
        if (!File.Exists(Path.Combine(folder, train ? TrainFiles[0] : TestFile)) && Directory.Exists(nested)) folder = nested;
        var names = train ? TrainFiles : [TestFile];
        var missing = names.Where(n => !File.Exists(Path.Combine(folder, n))).ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(folder, $"CIFAR-10 batch files missing: {string.Join(", ", missing)} (the binary version, cifar-10-batches-bin).");
        var meta = Path.Combine(folder, MetaFile);
        return FromFiles(names.Select(n => Path.Combine(folder, n)), File.Exists(meta) ? meta : null);
    }

    /// <summary>Loads the given batch files in order; class names from <paramref name="metaPath"/> when given.</summary>
    public static Cifar10Dataset FromFiles(IEnumerable<string> batchPaths, string? metaPath = null)
    {
        ArgumentNullException.ThrowIfNull(batchPaths);
        var classNames = metaPath is null ? [.. StandardClassNames] : ReadClassNames(metaPath);
        var batches = new List<byte[]>();
        foreach (var path in batchPaths) batches.Add(ReadBatch(path, classNames.Length));
        if (batches.Count == 0) throw new ArgumentException("No CIFAR-10 batch files given.", nameof(batchPaths));
        long total = batches.Sum(b => (long)(b.Length / RecordBytes));
        if (total > int.MaxValue) throw new ArgumentException($"{total} records exceed what one data set indexes.", nameof(batchPaths));
        return new Cifar10Dataset([.. batches], classNames);
    }

    /// <inheritdoc/>
    public int Read(int index, Span<float> pixels)
    {
        this.CheckRead(index, pixels);
        int batch = Array.BinarySearch(_batchStarts, index);
        // Batches are never empty, so the starts strictly increase: an exact hit is the first record of that batch,
        // otherwise the complement points one past the batch that holds the record.
        batch = batch >= 0 ? batch : ~batch - 1;
        var record = _batches[batch].AsSpan((index - _batchStarts[batch]) * RecordBytes, RecordBytes);
        PixelScale.ToUnit(record[1..], pixels);
        return record[0];
    }

    private static byte[] ReadBatch(string path, int numClasses)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new DataFormatException(path, "file not found.", e);
        }
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new DataFormatException(path, $"{bytes.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR-10 records (truncated or not a binary batch).");
        for (int r = 0; r < bytes.Length / RecordBytes; r++)
        {
            int label = bytes[r * RecordBytes];
            if (label >= numClasses)
                throw new DataFormatException(path, $"record {r} has label {label}; CIFAR-10 labels are 0–{numClasses - 1}.");
        }
        return bytes;
    }

    private static string[] ReadClassNames(string metaPath)
    {
        var names = File.ReadAllLines(metaPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length == 0) throw new DataFormatException(metaPath, "no class names in the file.");
        return names;
    }
}
