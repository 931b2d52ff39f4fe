using SkiaSharp;

namespace RawGan.Model.Images;

/// <summary>
/// Decodes an image file (any format Skia reads: PNG, JPEG, BMP, GIF, WebP...), crops the centred square of side
/// min(width, height), and resizes it to a target resolution: trilinear (mipmapped) filtering when shrinking, so
/// that large downscales do not alias, Mitchell cubic when enlarging. Transparent pixels are composited over black.
/// </summary>
public static class SquareImage
{
    /// <summary>
    /// The image at <paramref name="path"/> as <paramref name="channels"/>·R·R bytes, channel-major (R =
    /// <paramref name="resolution"/>); 1 channel gives luma (ITU-R 601: 0.299 R + 0.587 G + 0.114 B), 3 give RGB.
    /// Throws <see cref="InvalidDataException"/> naming the file when it cannot be decoded.
    /// </summary>
    public static byte[] Load(string path, int resolution, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 1);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 (grayscale) or 3 (RGB) channels.");
        using var image = SKImage.FromEncodedData(path)
            ?? throw new InvalidDataException($"{path}: not an image Skia can decode (corrupt, truncated or an unsupported format).");
        int side = Math.Min(image.Width, image.Height);
        // Cut the square out first instead of drawing with a source rectangle: filtering (and the mipmaps built
        // for it) then never reads pixels outside the crop.
        using var square = image.Subset(SKRectI.Create((image.Width - side) / 2, (image.Height - side) / 2, side, side))
            ?? throw new InvalidDataException($"{path}: cannot crop the centre square of a {image.Width}×{image.Height} image.");
        var sampling = side > resolution
            ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
            : new SKSamplingOptions(SKCubicResampler.Mitchell);

        using var target = new SKBitmap(new SKImageInfo(resolution, resolution, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(square, SKRect.Create(resolution, resolution), sampling);
        }
        return ToPlanes(target.GetPixelSpan(), resolution * resolution, channels);
    }

    /// <summary>Interleaved RGBA bytes to channel-major planes: RGB, or one luma plane.</summary>
    internal static byte[] ToPlanes(ReadOnlySpan<byte> rgba, int pixels, int channels)
    {
        var planes = new byte[channels * pixels];
        for (int i = 0; i < pixels; i++)
        {
            int r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
            if (channels == 1)
            {
                // ITU-R 601-2 luma (what PIL's convert("L") computes), rounded to the nearest integer.
                planes[i] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
            }
            else
            {
                planes[i] = (byte)r;
                planes[pixels + i] = (byte)g;
                planes[2 * pixels + i] = (byte)b;
            }
        }
        return planes;
    }
}
