using RawGan.Model.Data;

namespace RawGan.Tests.Data;

/// <summary>
/// A data set whose samples say which index they are (first pixel = index / 1000, the rest a pattern of index
/// and position), so loader tests can check which samples a batch holds. Counts reads, can be slowed down, and can
/// fail at one index.
/// </summary>
internal sealed class IndexDataset(int count, int numClasses = 3, int channels = 2, int size = 3) : IImageDataset
{
    private int _reads;

    public int Count => count;

    public int Channels => channels;

    public int Height => size;

    public int Width => size;

    public int NumClasses => numClasses;

    public IReadOnlyList<string> ClassNames => Enumerable.Range(0, numClasses).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Reads so far (from any thread).</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Time each read takes.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>An index whose read throws, or −1.</summary>
    public int FailAt { get; init; } = -1;

    public static int LabelOf(int index, int numClasses) => (index * 7 + 1) % numClasses;

    public int Read(int index, Span<float> pixels)
    {
        Interlocked.Increment(ref _reads);
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        if (index == FailAt) throw new DataFormatException($"sample-{index}", "unreadable on purpose.");
        pixels[0] = index / 1000f;
        for (int p = 1; p < pixels.Length; p++) pixels[p] = (index * 31 + p) % 97 / 97f;
        return LabelOf(index, numClasses);
    }

    /// <summary>The sample indices of a batch's images (B, C, H, W), read from their first pixels.</summary>
    public static int[] IndicesOf(DataBatch batch)
    {
        var values = batch.Images.ToArray<float>();
        int per = values.Length / batch.Images.Size(0);
        return Enumerable.Range(0, batch.Images.Size(0)).Select(b => (int)MathF.Round(values[b * per] * 1000)).ToArray();
    }
}
