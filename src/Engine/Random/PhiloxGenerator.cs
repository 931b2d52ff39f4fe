namespace RawGan.Engine.Rng;

/// <summary>
/// A reproducible stream of random tensors: a Philox4x32-10 key (<see cref="Seed"/>) and a position
/// (<see cref="Offset"/>). Each draw fills a tensor from the counters Offset … Offset + numel − 1 and then
/// advances Offset by numel (every distribution uses one counter per element; resampling uses a separate
/// counter word), so successive batches never reuse a counter and the same (Seed, Offset) always gives the
/// same values on every backend. Save both properties to resume a stream exactly. Not thread-safe.
/// </summary>
public sealed class PhiloxGenerator
{
    /// <summary>Creates a stream at <paramref name="offset"/> under <paramref name="seed"/>.</summary>
    public PhiloxGenerator(ulong seed, ulong offset = 0)
    {
        Seed = seed;
        Offset = offset;
    }

    /// <summary>The key: the stream this generator draws from.</summary>
    public ulong Seed { get; }

    /// <summary>The first counter the next draw uses.</summary>
    public ulong Offset { get; set; }

    /// <summary>Uniform numbers in (0, 1); advances <see cref="Offset"/> by the element count.</summary>
    public Tensor Uniform(Shape shape, DType dtype = DType.Float32, Device? device = null) =>
        Advance(Tensor.RandomUniform(shape, Seed, Offset, dtype, device));

    /// <summary>Normal numbers (Box–Muller); advances <see cref="Offset"/> by the element count.</summary>
    public Tensor Normal(Shape shape, double mean = 0, double std = 1, DType dtype = DType.Float32, Device? device = null) =>
        Advance(Tensor.RandomNormal(shape, Seed, Offset, mean, std, dtype, device));

    /// <summary>Standard normal numbers resampled until |z| ≤ threshold; advances <see cref="Offset"/> by the element count.</summary>
    public Tensor TruncatedNormal(Shape shape, double threshold, DType dtype = DType.Float32, Device? device = null) =>
        Advance(Tensor.TruncatedNormal(shape, threshold, Seed, Offset, dtype, device));

    // Moves past the counters a successful draw used; they wrap modulo 2^64 like the kernels' offset + i.
    private Tensor Advance(Tensor drawn)
    {
        Offset = unchecked(Offset + (ulong)drawn.Numel);
        return drawn;
    }
}
