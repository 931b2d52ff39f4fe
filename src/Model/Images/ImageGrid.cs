using RawGan.Engine;

namespace RawGan.Model.Images;

/// <summary>
/// Lays a batch of images (N, C, H, W) in [−1, 1] out as one 8-bit picture: rows × columns cells in row-major
/// order (image i at row i / columns, column i mod columns), separated and framed by <c>padding</c> pixels of
/// <c>padValue</c>. A sample sheet with one row per class passes its images class by class with
/// columns = samples per class.
/// </summary>
public static class ImageGrid
{
    /// <summary>
    /// The byte a value in [−1, 1] maps to: (v + 1)/2 · 255 rounded half up, clamped to 0…255 (what torchvision's
    /// save_image does after normalising to [0, 1]); NaN maps to 0.
    /// </summary>
    public static byte ToByte(float value)
    {
        float scaled = (value + 1f) * 127.5f + 0.5f;
        if (!(scaled > 0f)) return 0; // also NaN
        return scaled >= 255f ? (byte)255 : (byte)scaled;
    }

    /// <summary>Grid with <paramref name="columns"/> columns and as many rows as the images need.</summary>
    public static PixelImage Compose(Tensor images, int columns, int padding = 2, float padValue = 1f)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int n = images.Rank == 4 ? images.Size(0) : throw new ArgumentException($"Expected images (N, C, H, W), got shape {images.Shape}.", nameof(images));
        int rows = Math.Max(1, (n + columns - 1) / columns);
        return Compose(images, rows, Math.Min(columns, Math.Max(n, 1)), padding, padValue);
    }

    /// <summary>
    /// Grid of exactly <paramref name="rows"/> × <paramref name="columns"/> cells; cells past the last image are
    /// left at <paramref name="padValue"/>. Needs rows · columns ≥ N.
    /// </summary>
    public static PixelImage Compose(Tensor images, int rows, int columns, int padding, float padValue = 1f)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (images.Rank != 4) throw new ArgumentException($"Expected images (N, C, H, W), got shape {images.Shape}.", nameof(images));
        int n = images.Size(0), channels = images.Size(1), h = images.Size(2), w = images.Size(3);
        if (channels is not (1 or 3)) throw new ArgumentException($"Images need 1 or 3 channels, got {channels}.", nameof(images));
        if ((long)rows * columns < n) throw new ArgumentException($"{rows} × {columns} cells cannot hold {n} images.", nameof(rows));

        int width = columns * (w + padding) + padding, height = rows * (h + padding) + padding;
        var pixels = new byte[(long)width * height * channels];
        Array.Fill(pixels, ToByte(padValue));
        var values = HostFloats(images);
        int plane = h * w;
        for (int i = 0; i < n; i++)
        {
            int top = padding + i / columns * (h + padding), left = padding + i % columns * (w + padding);
            int image = i * channels * plane;
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int target = ((top + y) * width + left + x) * channels;
                for (int c = 0; c < channels; c++) pixels[target + c] = ToByte(values[image + c * plane + y * w + x]);
            }
        }
        return new PixelImage(width, height, channels, pixels);
    }

    private static float[] HostFloats(Tensor images) => images.DType switch
    {
        DType.Float32 => images.ToArray<float>(),
        DType.Float64 => Array.ConvertAll(images.ToArray<double>(), v => (float)v),
        _ => throw new ArgumentException($"Images must be Float32 or Float64, not {images.DType}.", nameof(images)),
    };
}
