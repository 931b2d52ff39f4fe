using RawGan.Engine;
using SkiaSharp;

namespace RawGan.Model.Images;

/// <summary>
/// PNG files of images and image grids (SkiaSharp's encoder and decoder). Writes are atomic: the file is written
/// under a temporary name in the same folder, flushed, and renamed over the target, so a reader (or a crash) never
/// sees half a PNG.
/// </summary>
public static class Png
{
    /// <summary>Saves images (N, C, H, W) in [−1, 1] as a grid of <paramref name="columns"/> columns (see <see cref="ImageGrid"/>).</summary>
    public static void SaveGrid(string path, Tensor images, int columns, int padding = 2, float padValue = 1f) =>
        Save(path, ImageGrid.Compose(images, columns, padding, padValue));

    /// <summary>
    /// Saves images (N, C, H, W) in [−1, 1] as a sheet of exactly <paramref name="rows"/> × <paramref name="columns"/>
    /// cells in row-major order: for one row per class, pass the images class by class.
    /// </summary>
    public static void SaveSheet(string path, Tensor images, int rows, int columns, int padding = 2, float padValue = 1f) =>
        Save(path, ImageGrid.Compose(images, rows, columns, padding, padValue));

    /// <summary>Saves an 8-bit image: 1 channel as a grayscale PNG, 3 channels as RGB.</summary>
    public static void Save(string path, PixelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var colorType = image.Channels switch
        {
            1 => SKColorType.Gray8,
            3 => SKColorType.Rgba8888,
            _ => throw new ArgumentException($"PNG images here have 1 or 3 channels, not {image.Channels}.", nameof(image)),
        };
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, colorType, SKAlphaType.Opaque));
        var target = bitmap.GetPixelSpan();
        if (image.Channels == 1)
        {
            CopyRows(image.Pixels, image.Width, target, bitmap.RowBytes, image.Height);
        }
        else
        {
            var rgba = new byte[image.Width * image.Height * 4];
            for (int i = 0, n = image.Width * image.Height; i < n; i++)
            {
                rgba[4 * i] = image.Pixels[3 * i];
                rgba[4 * i + 1] = image.Pixels[3 * i + 1];
                rgba[4 * i + 2] = image.Pixels[3 * i + 2];
                rgba[4 * i + 3] = 255;
            }
            CopyRows(rgba, image.Width * 4, target, bitmap.RowBytes, image.Height);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}×{image.Height} PNG.");
        WriteAtomically(path, data.AsSpan());
    }

    /// <summary>Reads a PNG (or any format Skia decodes): grayscale files as 1 channel, all others as RGB (alpha dropped).</summary>
    public static PixelImage Read(string path)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException($"{path}: not an image Skia can decode.");
        int width = codec.Info.Width, height = codec.Info.Height;
        bool gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{path}: decoding failed ({result}).");
        var source = bitmap.GetPixelSpan();
        if (gray)
        {
            var pixels = new byte[width * height];
            for (int y = 0; y < height; y++) source.Slice(y * bitmap.RowBytes, width).CopyTo(pixels.AsSpan(y * width));
            return new PixelImage(width, height, 1, pixels);
        }
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int s = y * bitmap.RowBytes + 4 * x, d = 3 * (y * width + x);
            rgb[d] = source[s];
            rgb[d + 1] = source[s + 1];
            rgb[d + 2] = source[s + 2];
        }
        return new PixelImage(width, height, 3, rgb);
    }

    private static void CopyRows(ReadOnlySpan<byte> source, int sourceRowBytes, Span<byte> target, int targetRowBytes, int rows)
    {
        for (int y = 0; y < rows; y++) source.Slice(y * sourceRowBytes, sourceRowBytes).CopyTo(target.Slice(y * targetRowBytes, sourceRowBytes));
    }

    private static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target) ?? throw new ArgumentException($"\"{path}\" names no file.", nameof(path));
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
