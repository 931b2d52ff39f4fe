using RawGan.Engine.Rng;

namespace RawGan.Model.Data;

/// <summary>
/// A tiny data set a GAN learns in minutes, for tests and smoke training: sample i has label i mod K and shows one
/// soft round blob on a −1 background, centred on a circle around the image centre at the angle 2πk/K of its class
/// k, with a little per-sample jitter in position and size. With 3 channels each class also has its own colour.
/// Every pixel follows from (seed, index) through Philox4x32-10 and plain arithmetic (no Math.Exp or Math.Sin on
/// the sample path), so the data are identical on every machine.
/// </summary>
public sealed class SyntheticShapes : IImageDataset
{
    private readonly UInt2 _key;
    private readonly (double X, double Y)[] _centres;
    private readonly float[][] _colours;
    private readonly string[] _classNames;

    /// <summary>Creates <paramref name="count"/> samples of <paramref name="numClasses"/> classes at <paramref name="resolution"/> pixels.</summary>
    public SyntheticShapes(int count, int numClasses = 10, int resolution = 32, int channels = 1, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 8);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Images have 1 (grayscale) or 3 (RGB) channels.");
        Count = count;
        NumClasses = numClasses;
        Height = Width = resolution;
        Channels = channels;
        Seed = seed;
        _key = new UInt2((uint)seed, (uint)(seed >> 32));
        _classNames = Enumerable.Range(0, numClasses).Select(k => $"shape{k}").ToArray();

        // Class geometry is computed once here. Math.Cos/Sin may differ in the last bit between platforms; rounding
        // the centres to 1/1024 pixel removes such differences (short of a value falling exactly on a rounding tie).
        _centres = new (double, double)[numClasses];
        _colours = new float[numClasses][];
        double middle = (resolution - 1) / 2.0, radius = 0.3 * resolution;
        for (int k = 0; k < numClasses; k++)
        {
            double angle = 2 * Math.PI * k / numClasses;
            _centres[k] = (Quantise(middle + radius * Math.Cos(angle)), Quantise(middle + radius * Math.Sin(angle)));
            // Three well-separated colours cycling with the class, brightness falling with each lap.
            float bright = 1f - 0.35f * (k / 3 % 2);
            _colours[k] = (k % 3) switch
            {
                0 => [bright, 0.2f, 0.2f],
                1 => [0.2f, bright, 0.2f],
                _ => [0.2f, 0.2f, bright],
            };
        }
    }

    /// <summary>The seed the samples derive from.</summary>
    public ulong Seed { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public int Height { get; }

    /// <inheritdoc/>
    public int Width { get; }

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <inheritdoc/>
    public int Read(int index, Span<float> pixels)
    {
        this.CheckRead(index, pixels);
        int label = index % NumClasses;
        var bits = Philox4x32.Hash(new UInt4((uint)index, 0, 0, 0x5A4E5448u), _key);
        double jitterX = Unit(bits.X) * 2 - 1, jitterY = Unit(bits.Y) * 2 - 1, scale = 0.8 + 0.4 * Unit(bits.Z);
        double cx = _centres[label].X + 1.5 * jitterX, cy = _centres[label].Y + 1.5 * jitterY;
        double blobRadius = 0.2 * Height * scale, r2 = blobRadius * blobRadius;

        int plane = Height * Width;
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        {
            double dx = x - cx, dy = y - cy;
            // A smooth bump: 1 at the centre, falling to 0 at the blob's radius with zero slope.
            double t = Math.Max(0, 1 - (dx * dx + dy * dy) / r2);
            float intensity = (float)(t * t);
            for (int c = 0; c < Channels; c++)
            {
                float level = Channels == 1 ? intensity : intensity * _colours[label][c];
                pixels[c * plane + y * Width + x] = 2 * level - 1;
            }
        }
        return label;
    }

    // 32 random bits to [0, 1).
    private static double Unit(uint bits) => bits * (1.0 / 4294967296.0);

    private static double Quantise(double v) => Math.Round(v * 1024) / 1024;
}
