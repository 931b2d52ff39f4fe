using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Needs no GPU: the autotune's agreement check, which keeps a tensor-core tile whose output differs from
/// im2col + cuBLAS's out of the choice (the check itself runs on a GPU, inside ConvAlgorithm.Auto).
/// </summary>
public class ConvAutotuneAgreementTests
{
    [Test]
    public void SummationOrderDifferencesAgreeAndWrongElementsDoNot()
    {
        int seed = TestContext.CurrentContext.Random.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var reference = new float[4096];
        for (int i = 0; i < reference.Length; i++) reference[i] = (float)(rng.NextDouble() * 2 - 1) * 50;
        double tolerance = ConvChoice.ToleranceFor(DType.Float32);

        // TF32-sized differences everywhere (2^-11 of the largest magnitude) agree.
        var reordered = reference.Select(v => v + (float)((rng.NextDouble() * 2 - 1) * 50 * Math.Pow(2, -11))).ToArray();
        Assert.That(ConvChoice.Compare(reference, reordered, tolerance).Agrees, Is.True, $"seed {seed}");

        // One element off by a tenth of the scale (a misplaced fragment) does not.
        var wrong = (float[])reference.Clone();
        wrong[rng.Next(wrong.Length)] += 5;
        var c = ConvChoice.Compare(reference, wrong, tolerance);
        Assert.That(c.Agrees, Is.False, $"seed {seed}");
        Assert.That(c.MaxDifference, Is.EqualTo(5).Within(1e-3));

        // A NaN or an all-zero output never agrees.
        var nan = (float[])reference.Clone();
        nan[rng.Next(nan.Length)] = float.NaN;
        Assert.That(ConvChoice.Compare(reference, nan, tolerance).Agrees, Is.False, $"seed {seed}");
        Assert.That(ConvChoice.Compare(reference, new float[reference.Length], tolerance).Agrees, Is.False, $"seed {seed}");
    }

    [Test]
    public void BFloat16OutputsAreAllowedTheirRounding()
    {
        var reference = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i) * 3).ToArray();
        var rounded = reference.Select(v => (float)(BFloat16)v).ToArray();
        Assert.That(ConvChoice.Compare(reference, rounded, ConvChoice.ToleranceFor(DType.BFloat16)).Agrees, Is.True);
        Assert.That(ConvChoice.Compare(reference, rounded, 1e-6).Agrees, Is.False, "the rounding is visible at a tight tolerance");
    }

    [Test]
    public void OutputsOfDifferentLengthsAreAnError() =>
        Assert.Throws<ArgumentException>(() => ConvChoice.Compare(new float[3], new float[4], 1e-2));
}
