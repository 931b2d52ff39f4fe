using RawGan.Engine;

namespace RawGan.Tests.Ops;

/// <summary>
/// bfloat16 and TF32 rounding against a definition: the representable neighbours of x are found in double
/// arithmetic, and the nearer one wins, the one with an even last mantissa bit on a tie.
/// </summary>
public class ReducedPrecisionRoundingTests
{
    // The value nearest x among floats with `bits` mantissa bits (ties to even), from first principles; x finite.
    private static double Nearest(float x, int bits)
    {
        uint u = BitConverter.SingleToUInt32Bits(x);
        int drop = 23 - bits;
        uint down = u & ~((1u << drop) - 1), up = down + (1u << drop);
        double lo = BitConverter.UInt32BitsToSingle(down), hi = up >= 0x7F80_0000u && (u & 0x8000_0000u) == 0 ? double.PositiveInfinity
            : (up & 0x7FFF_FFFFu) >= 0x7F80_0000u ? double.NegativeInfinity : BitConverter.UInt32BitsToSingle(up);
        if (double.IsInfinity(hi))
        {
            // Past the largest finite value: the "up" neighbour is infinity, reached when x is at least half an ulp beyond.
            double max = Math.Abs(lo), ulp = Math.Pow(2, Math.ILogB(max) - bits);
            return Math.Abs(x) >= max + ulp / 2 ? Math.CopySign(double.PositiveInfinity, x) : lo;
        }
        double dl = Math.Abs(x - lo), dh = Math.Abs(hi - x);
        if (dl < dh) return lo;
        if (dh < dl) return hi;
        return ((down >> drop) & 1) == 0 ? lo : hi;
    }

    [Test]
    public void BFloat16RoundsToTheNearestNeighbourTiesToEven()
    {
        int seed = GemmTests.NewSeed();
        var rng = new Random(seed);
        for (int i = 0; i < 200_000; i++)
        {
            // Random bits cover every binade; a third of them get their low half forced onto a tie.
            uint u = (uint)rng.NextInt64(0, 1L << 32);
            if (i % 3 == 0) u = (u & 0xFFFF_0000u) | 0x8000u;
            float x = BitConverter.UInt32BitsToSingle(u);
            if (!float.IsFinite(x)) continue;
            double got = BFloat16.Round(x), want = Nearest(x, 7);
            if (!got.Equals(want)) Assert.Fail($"bfloat16({x:R}) = {got:R}, want {want:R} (bits 0x{u:X8}, seed {seed})");
        }
    }

    [Test]
    public void Tf32RoundsToTheNearestNeighbourTiesToEven()
    {
        int seed = GemmTests.NewSeed();
        var rng = new Random(seed);
        for (int i = 0; i < 200_000; i++)
        {
            uint u = (uint)rng.NextInt64(0, 1L << 32);
            if (i % 3 == 0) u = (u & 0xFFFF_E000u) | 0x1000u;
            float x = BitConverter.UInt32BitsToSingle(u);
            if (!float.IsFinite(x)) continue;
            double got = Tf32.Round(x), want = Nearest(x, 10);
            if (!got.Equals(want)) Assert.Fail($"tf32({x:R}) = {got:R}, want {want:R} (bits 0x{u:X8}, seed {seed})");
        }
    }

    [TestCase(1.0f + 1f / 256, 1.0f)]                          // half-way between 1 and 1 + 2^-7: to the even 1
    [TestCase(1.0f + 3f / 256, 1.0f + 1f / 64)]                 // half-way between 1 + 2^-7 and 1 + 2^-6: to the even one
    [TestCase(1.0f + 1f / 256 + 1f / 65536, 1.0f + 1f / 128)]   // just past half-way rounds up
    [TestCase(float.MaxValue, float.PositiveInfinity)]          // past the largest finite bfloat16
    [TestCase(-float.MaxValue, float.NegativeInfinity)]
    [TestCase(3.3895314e38f, 3.3895314e38f)]                    // the largest finite bfloat16 is exact
    [TestCase(float.Epsilon, 0f)]                               // the smallest subnormal: below half an ulp
    [TestCase(-0f, -0f)]
    public void BFloat16EdgeCases(float x, float want)
    {
        float got = BFloat16.Round(x);
        Assert.That(BitConverter.SingleToUInt32Bits(got), Is.EqualTo(BitConverter.SingleToUInt32Bits(want)), $"bfloat16({x:R}) = {got:R}");
    }

    [Test]
    public void NaNStaysNaNWithItsSignAndInfinitiesStay()
    {
        foreach (uint bits in new[] { 0x7FC0_0000u, 0xFFC0_0000u, 0x7F80_0001u, 0xFF80_0001u, 0x7FFF_FFFFu })
        {
            float nan = BitConverter.UInt32BitsToSingle(bits);
            var h = (BFloat16)nan;
            Assert.That(float.IsNaN(h), Is.True, $"0x{bits:X8}");
            Assert.That(h.Bits >> 15, Is.EqualTo(bits >> 31), $"sign of 0x{bits:X8}");
            Assert.That(h.Bits & 0x0040, Is.Not.Zero, $"quiet bit of 0x{bits:X8}");
            Assert.That(float.IsNaN(Tf32.Round(nan)), Is.True);
        }
        foreach (float inf in new[] { float.PositiveInfinity, float.NegativeInfinity })
        {
            Assert.That((float)(BFloat16)inf, Is.EqualTo(inf));
            Assert.That(Tf32.Round(inf), Is.EqualTo(inf));
        }
    }

    [Test]
    public void Float64RoundsThroughFloat32AsPyTorchDoes()
    {
        // 1 + 2^-8 + 2^-40 rounds to float32 1 + 2^-8 (a bfloat16 tie, to the even 1); direct rounding would give 1 + 2^-7.
        double x = 1 + Math.Pow(2, -8) + Math.Pow(2, -40);
        Assert.That((float)(BFloat16)x, Is.EqualTo(1.0f));
        var t = Tensor.FromArray([x]).ToDType(DType.BFloat16);
        Assert.That(t.ToDoubleArray()[0], Is.EqualTo(1.0));
    }

    [Test]
    public void TensorCastsRoundTripAndRoundOnce()
    {
        int seed = GemmTests.NewSeed();
        var rng = new Random(seed);
        var f = Enumerable.Range(0, 1000).Select(_ => (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-30, 30)))).ToArray();
        var h = Tensor.FromArray(f).ToDType(DType.BFloat16);
        Assert.That(h.DType, Is.EqualTo(DType.BFloat16));
        var back = h.ToDType(DType.Float32).ToArray<float>();
        for (int i = 0; i < f.Length; i++) Assert.That(back[i], Is.EqualTo(BFloat16.Round(f[i])), $"element {i}, seed {seed}");
        var viaDouble = h.ToDType(DType.Float64).ToDType(DType.BFloat16).ToArray<BFloat16>();
        Assert.That(viaDouble, Is.EqualTo(h.ToArray<BFloat16>()), "bfloat16 → float64 → bfloat16 is exact");
        var full = Tensor.Full([3, 2], 1.0 + 1.0 / 256, DType.BFloat16).ToDoubleArray();
        Assert.That(full, Is.All.EqualTo(1.0), "Fill rounds its value like a cast");
    }

    [Test]
    public void ShapeOpsCopyBFloat16Tensors()
    {
        var h = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (float)i).ToArray(), [2, 3, 4]).ToDType(DType.BFloat16);
        var p = RawGan.Engine.Ops.Permute(h, 2, 0, 1);
        Assert.That(p.DType, Is.EqualTo(DType.BFloat16));
        var want = RawGan.Engine.Ops.Permute(h.ToDType(DType.Float32), 2, 0, 1).ToDoubleArray();
        Assert.That(p.ToDoubleArray(), Is.EqualTo(want));
    }
}
