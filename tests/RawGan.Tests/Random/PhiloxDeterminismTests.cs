using RawGan.Engine;
using RawGan.Engine.Rng;

namespace RawGan.Tests.Rng;

/// <summary>Fills are pure functions of (seed, offset + i): the property that makes CPU/CUDA bit-identity possible.</summary>
public class PhiloxDeterminismTests
{
    private const int N = 5_003; // odd, and above one parallel chunk
    private const double Threshold = 0.5;

    public enum Kind { Uniform, Normal, Truncated }

    private static Tensor Fill(Kind kind, int n, ulong seed, ulong offset, DType dtype) => kind switch
    {
        Kind.Uniform => Tensor.RandomUniform(new Shape(n), seed, offset, dtype),
        Kind.Normal => Tensor.RandomNormal(new Shape(n), seed, offset, mean: 0.25, std: 3, dtype: dtype),
        _ => Tensor.TruncatedNormal(new Shape(n), Threshold, seed, offset, dtype),
    };

    [Test]
    public void SameSeedAndOffsetGiveTheSameValues([Values] Kind kind, [Values(DType.Float32, DType.Float64)] DType dtype)
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var a = Fill(kind, N, seed, offset, dtype).ToDoubleArray();
        var b = Fill(kind, N, seed, offset, dtype).ToDoubleArray();
        var c = Fill(kind, N, seed ^ 1, offset, dtype).ToDoubleArray();
        Assert.That(b, Is.EqualTo(a), $"seed {seed}, offset {offset}");
        Assert.That(c.Zip(a).Count(p => p.First == p.Second), Is.LessThan(N / 100), $"another seed should give other values (seed {seed})");
    }

    [Test]
    public void FillAtOffsetKIsTheTailOfFillAtOffsetZero([Values] Kind kind)
    {
        ulong seed = TestSeed.Fresh();
        int k = Random.Shared.Next(1, N);
        var whole = Fill(kind, N, seed, 0, DType.Float64).ToArray<double>();
        var tail = Fill(kind, N - k, seed, (ulong)k, DType.Float64).ToArray<double>();
        Assert.That(tail, Is.EqualTo(whole[k..]), $"seed {seed}, k {k}");
    }

    [Test]
    public void CountersWrapModulo2To64([Values] Kind kind)
    {
        ulong seed = TestSeed.Fresh();
        var start = Fill(kind, 3, seed, 0, DType.Float64).ToArray<double>();
        var across = Fill(kind, 6, seed, ulong.MaxValue - 2, DType.Float64).ToArray<double>();
        Assert.That(across[3..], Is.EqualTo(start), $"seed {seed}");
    }

    [Test]
    public void Float32ValuesAreTheFloat64ValuesRounded([Values] Kind kind)
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var f = Fill(kind, N, seed, offset, DType.Float32).ToArray<float>();
        var d = Fill(kind, N, seed, offset, DType.Float64).ToArray<double>();
        // Uniforms are also clamped below 1 (PhiloxSampler.UniformAs): a no-op unless u > 1 − 2^-25.
        var rounded = d.Select(v => kind == Kind.Uniform ? Math.Min((float)v, 1f - MathF.Pow(2, -24)) : (float)v).ToArray();
        Assert.That(f, Is.EqualTo(rounded), $"seed {seed}, offset {offset}");
    }

    [Test]
    public void Float32UniformNeverRoundsToOne()
    {
        double top = PhiloxSampler.ToUnitOpen(uint.MaxValue, uint.MaxValue), bottom = PhiloxSampler.ToUnitOpen(0, 0);
        Assert.That(top, Is.EqualTo(1 - Math.ScaleB(1, -53)));
        Assert.That(bottom, Is.EqualTo(Math.ScaleB(1, -53)));
        Assert.That(PhiloxSampler.UniformAs<float>(top), Is.EqualTo(BitConverter.Int32BitsToSingle(0x3F7FFFFF)));
        Assert.That(PhiloxSampler.UniformAs<float>(bottom), Is.GreaterThan(0f));
        Assert.That(PhiloxSampler.UniformAs<double>(top), Is.EqualTo(top));
    }

    [Test]
    public void TruncationBeyondEveryNormalValueChangesNothing()
    {
        // Box–Muller never exceeds √(106 ln 2) ≈ 8.57, so no candidate is rejected and attempt 0's first output is kept.
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var truncated = Tensor.TruncatedNormal(new Shape(N), 8.6, seed, offset, DType.Float64).ToArray<double>();
        var normal = Tensor.RandomNormal(new Shape(N), seed, offset, dtype: DType.Float64).ToArray<double>();
        Assert.That(truncated, Is.EqualTo(normal), $"seed {seed}, offset {offset}");
    }

    [Test]
    public void TruncatedNormalFollowsTheDocumentedCandidateOrder()
    {
        ulong seed = TestSeed.Fresh(), offset = TestSeed.Fresh();
        var got = Tensor.TruncatedNormal(new Shape(200), Threshold, seed, offset, DType.Float64).ToArray<double>();
        for (int i = 0; i < got.Length; i++)
        {
            double want = double.NaN;
            for (uint attempt = 0; double.IsNaN(want); attempt++)
            {
                var (z0, z1) = PhiloxSampler.BoxMuller(PhiloxSampler.Block(seed, offset + (ulong)i, attempt));
                want = Math.Abs(z0) <= Threshold ? z0 : Math.Abs(z1) <= Threshold ? z1 : double.NaN;
            }
            Assert.That(got[i], Is.EqualTo(want), $"seed {seed}, offset {offset}, element {i}");
        }
    }

    [Test]
    public void GeneratorDrawsSuccessiveBatchesAndAdvancesItsOffset()
    {
        ulong seed = TestSeed.Fresh(), start = TestSeed.Fresh();
        var gen = new PhiloxGenerator(seed, start);
        var first = gen.Normal(new Shape(3, 7), dtype: DType.Float64).ToArray<double>();
        Assert.That(gen.Offset, Is.EqualTo(start + 21));
        var second = gen.TruncatedNormal(new Shape(5), 1.0, DType.Float64).ToArray<double>();
        Assert.That(gen.Offset, Is.EqualTo(start + 26));
        var third = gen.Uniform(new Shape(2, 2)).ToArray<float>();
        Assert.That(gen.Offset, Is.EqualTo(start + 30));

        Assert.That(first, Is.EqualTo(Tensor.RandomNormal(new Shape(21), seed, start, dtype: DType.Float64).ToArray<double>()), $"seed {seed}");
        Assert.That(second, Is.EqualTo(Tensor.TruncatedNormal(new Shape(5), 1.0, seed, start + 21, DType.Float64).ToArray<double>()), $"seed {seed}");
        Assert.That(third, Is.EqualTo(Tensor.RandomUniform(new Shape(4), seed, start + 26).ToArray<float>()), $"seed {seed}");

        var resumed = new PhiloxGenerator(seed, start + 21);
        Assert.That(resumed.TruncatedNormal(new Shape(5), 1.0, DType.Float64).ToArray<double>(), Is.EqualTo(second), $"seed {seed}");
    }

    [TestCase(0.0)]
    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    public void NonPositiveThresholdIsRejected(double threshold)
    {
        var shape = new Shape(4);
        Assert.That(() => Tensor.TruncatedNormal(shape, threshold, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("positive"));
        var gen = new PhiloxGenerator(1);
        Assert.That(() => gen.TruncatedNormal(shape, threshold), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("positive"));
        Assert.That(gen.Offset, Is.Zero, "a failed draw must not consume counters");
        using var t = Tensor.Zeros(shape);
        Assert.That(() => t.Backend.FillTruncatedNormal(t.Storage, 1, 0, threshold),
                    Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("positive"));
    }

    [Test]
    public void ThresholdTooSmallToFinishIsRejected() =>
        Assert.That(() => Tensor.TruncatedNormal(new Shape(4), PhiloxSampler.MinTruncationThreshold / 2, 1),
                    Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("at least"));
}
