namespace RawGan.Model.Data;

/// <summary>
/// A labelled image data set of fixed size: sample i is C·H·W pixels in [−1, 1] (channel-major, row-major within a
/// channel) and a class label in [0, <see cref="NumClasses"/>). <see cref="Read"/> must be safe to call from a
/// background thread (the loader prefetches on one), one call at a time.
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Channels per image: 1 (grayscale) or 3 (RGB).</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>Number of classes; labels lie in [0, NumClasses).</summary>
    int NumClasses { get; }

    /// <summary>A name per class, indexed by label.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>Writes sample <paramref name="index"/>'s C·H·W pixels, in [−1, 1], into <paramref name="pixels"/> and returns its label.</summary>
    int Read(int index, Span<float> pixels);
}

/// <summary>Helpers shared by the data sets.</summary>
public static class ImageDatasetExtensions
{
    /// <summary>Floats per sample: C·H·W.</summary>
    public static int SampleSize(this IImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Channels * dataset.Height * dataset.Width;
    }

    /// <summary>Throws unless <paramref name="index"/> and <paramref name="pixels"/> fit the data set.</summary>
    internal static void CheckRead(this IImageDataset dataset, int index, Span<float> pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, dataset.Count);
        if (pixels.Length != dataset.SampleSize())
            throw new ArgumentException($"The pixel buffer holds {pixels.Length} floats; a sample has {dataset.SampleSize()} (C·H·W).", nameof(pixels));
    }
}
