using System.Numerics;

namespace RawGan.Engine.Rng;

/// <summary>
/// The per-element recipe shared by every backend (RECIPE.md next to this file states it for the CUDA port):
/// element i of a fill at (seed, offset) hashes the counter (lo32(n), hi32(n), attempt, 0), n = offset + i mod 2^64,
/// under the key (lo32(seed), hi32(seed)). Uniforms, normals and truncated normals are computed in double from
/// that block alone, so a value never depends on the tensor's size, the chunking or the thread that computed it.
/// </summary>
internal static class PhiloxSampler
{
    /// <summary>Slowest truncation accepted: below it an element needs over 6,000 Philox blocks on average.</summary>
    public const double MinTruncationThreshold = 1e-4;

    // 2^-52: the spacing of the uniform grid.
    private const double TwoPowMinus52 = 1.0 / 4503599627370496.0;

    /// <summary>The Philox block of element index <paramref name="n"/> (offset + i) at resampling attempt <paramref name="attempt"/>.</summary>
    public static UInt4 Block(ulong seed, ulong n, uint attempt) =>
        Philox4x32.Hash(new UInt4((uint)n, (uint)(n >> 32), attempt, 0), new UInt2((uint)seed, (uint)(seed >> 32)));

    /// <summary>
    /// Maps the 64-bit word hi·2^32 + lo to (k + 1/2)·2^-52 with k its top 52 bits: strictly inside (0, 1)
    /// (from 2^-53 to 1 − 2^-53), every step exact.
    /// </summary>
    public static double ToUnitOpen(uint lo, uint hi)
    {
        ulong k = (((ulong)hi << 32) | lo) >> 12;
        return ((double)k + 0.5) * TwoPowMinus52;
    }

    /// <summary>Uniform in (0, 1) of element index n: words (x, y) of attempt 0.</summary>
    public static double Uniform(ulong seed, ulong n)
    {
        var b = Block(seed, n, 0);
        return ToUnitOpen(b.X, b.Y);
    }

    /// <summary>
    /// Box–Muller on one block: u1 from words (x, y), u2 from words (z, w), r = √(−2 ln u1);
    /// returns (r·cos 2πu2, r·sin 2πu2). |z| ≤ √(106 ln 2) ≈ 8.57 since u1 ≥ 2^-53.
    /// </summary>
    public static (double Z0, double Z1) BoxMuller(UInt4 b)
    {
        double u1 = ToUnitOpen(b.X, b.Y), u2 = ToUnitOpen(b.Z, b.W);
        double r = Math.Sqrt(-2.0 * PortableMath.Log(u1));
        var (c, s) = PortableMath.CosSin2Pi(u2);
        return (r * c, r * s);
    }

    /// <summary>Standard normal of element index n: the first Box–Muller output of attempt 0.</summary>
    public static double Normal(ulong seed, ulong n) => BoxMuller(Block(seed, n, 0)).Z0;

    /// <summary>
    /// Standard normal of element index n conditioned on |z| ≤ threshold: candidates in the order
    /// attempt 0 Z0, attempt 0 Z1, attempt 1 Z0, attempt 1 Z1, …; the first one inside is returned.
    /// With threshold above 8.57 this equals <see cref="Normal"/>.
    /// </summary>
    public static double TruncatedNormal(ulong seed, ulong n, double threshold)
    {
        for (uint attempt = 0; ; attempt++)
        {
            var (z0, z1) = BoxMuller(Block(seed, n, attempt));
            if (Math.Abs(z0) <= threshold) return z0;
            if (Math.Abs(z1) <= threshold) return z1;
        }
    }

    /// <summary>
    /// Rounds a uniform to T (round to nearest even). For float32 the top 2^-25 of (0, 1) would round to 1,
    /// so it is clamped to the largest float below 1 (0x3F7FFFFF); double values are unchanged.
    /// </summary>
    public static T UniformAs<T>(double u) where T : IFloatingPointIeee754<T>
    {
        T v = T.CreateTruncating(u);
        return v < T.One ? v : T.BitDecrement(T.One);
    }

    /// <summary>Throws unless the truncation threshold is positive and no smaller than <see cref="MinTruncationThreshold"/>.</summary>
    public static void CheckThreshold(double threshold)
    {
        if (!(threshold > 0))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The truncation threshold must be positive.");
        if (threshold < MinTruncationThreshold)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold,
                $"The truncation threshold must be at least {MinTruncationThreshold}: below it each element needs thousands of resampling attempts.");
    }
}
