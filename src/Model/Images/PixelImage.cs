namespace RawGan.Model.Images;

/// <summary>An 8-bit image in host memory: rows of interleaved channels (gray, or R G B), top row first.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Channels">1 (grayscale) or 3 (RGB).</param>
/// <param name="Pixels">Height · Width · Channels bytes.</param>
public sealed record PixelImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>Channel <paramref name="c"/> of the pixel at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public byte this[int x, int y, int c] => Pixels[(y * Width + x) * Channels + c];
}
