using System.Diagnostics;
using RawGan.Model.Metrics;

namespace RawGan.Tests.Metrics;

public class SymmetricEigenTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(7)]
    [TestCase(64)]
    public void RecoversAConstructedSpectrumAndItsVectors(int d)
    {
        var rng = new Random(d);
        var q = FrechetDistanceTests.RandomOrthogonal(d, rng);
        // Distinct values, some negative, one repeated pair when d allows, to exercise the ordering.
        var values = Enumerable.Range(0, d).Select(i => (i - d / 3.0) * 0.7 + rng.NextDouble() * 0.1).ToArray();
        if (d > 3) values[1] = values[2];
        var a = FrechetDistanceTests.Conjugate(q, values);

        var (found, vectors) = SymmetricEigen.Decompose(a, d);
        Assert.That(found, Is.EqualTo(values.Order().ToArray()).Within(1e-11));
        Assert.That(SymmetricEigen.Eigenvalues(a, d), Is.EqualTo(found).Within(1e-11));
        // A·v_i = λ_i·v_i and the vectors are orthonormal.
        for (int i = 0; i < d; i++)
        {
            for (int r = 0; r < d; r++)
            {
                double av = 0;
                for (int k = 0; k < d; k++) av += a[r * d + k] * vectors[i * d + k];
                Assert.That(av, Is.EqualTo(found[i] * vectors[i * d + r]).Within(1e-10), $"(A v_{i})[{r}]");
            }
            for (int j = 0; j <= i; j++)
            {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += vectors[i * d + k] * vectors[j * d + k];
                Assert.That(dot, Is.EqualTo(i == j ? 1 : 0).Within(1e-12), $"v_{i}·v_{j}");
            }
        }
    }

    [Test]
    public void HandlesZeroAndDiagonalMatrices()
    {
        Assert.That(SymmetricEigen.Eigenvalues(new double[9], 3), Is.EqualTo(new double[3]));
        Assert.That(SymmetricEigen.Eigenvalues(FrechetDistanceTests.Diagonal([3, -1, 2]), 3), Is.EqualTo(new double[] { -1, 2, 3 }).Within(1e-15));
    }

    [Test]
    public void RejectsNonFiniteEntries()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Eigenvalues(new[] { 1.0, double.NaN, double.NaN, 1.0 }, 2));
    }

    [Test, Explicit("Timing of the 2048-d (Inception feature) FID on this machine; run by hand.")]
    public void Time2048dFrechetDistance()
    {
        int d = 2048;
        var rng = new Random(7);
        var f1 = new double[3000, d];
        var f2 = new double[3000, d];
        for (int i = 0; i < 3000; i++)
            for (int j = 0; j < d; j++)
            {
                f1[i, j] = rng.NextDouble() + (j % 17) * 0.01 * f1[i, Math.Max(0, j - 1)];
                f2[i, j] = rng.NextDouble() * 1.1;
            }
        var clock = Stopwatch.StartNew();
        var s1 = FeatureStatistics.FromFeatures(f1);
        var s2 = FeatureStatistics.FromFeatures(f2);
        double momentsSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        double fid = FrechetDistance.Compute(s1, s2);
        TestContext.Progress.WriteLine($"2048-d: moments of 2 x 3000 samples {momentsSeconds:F1} s, FID {fid:F4} in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(fid, Is.GreaterThan(0));
    }
}
