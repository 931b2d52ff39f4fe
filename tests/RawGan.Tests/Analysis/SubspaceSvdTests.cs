using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using RawGan.Engine.Nn;
using RawGan.Model.Analysis;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Analysis;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The subspace iteration against singular values computed independently (one-sided Jacobi SVD in float64) and
/// against matrices built with a known spectrum U·diag(s)·Vᵀ.
/// </summary>
public class SubspaceSvdTests
{
    private static Tensor Matrix(double[] values, params int[] shape) => Tensor.FromArray(values, new Shape(shape));

    private const double DefaultTolerance = 1e-6;

    // Within `relative`·σ0: the default tolerance is what SubspaceSvdOptions promises; tighter runs use a tighter one.
    private static void AssertTop3(double[] expected, SingularValueEstimate actual, double relative, TestRng rng)
    {
        Assert.That(actual.Converged, Is.True, $"not converged: residual {actual.Residual} after {actual.Iterations} iterations; {rng}");
        for (int i = 0; i < 3; i++)
            Assert.That(actual.Values[i], Is.EqualTo(expected[i]).Within(relative * expected[0]), $"σ{i}; {rng}");
    }

    [TestCase(20, 30, DefaultTolerance)]
    [TestCase(300, 20, DefaultTolerance)]
    [TestCase(300, 20, 1e-11)]
    [TestCase(7, 7, DefaultTolerance)]
    public void RandomMatricesMatchJacobiSvd(int rows, int cols, double tolerance)
    {
        var rng = TestRng.Fresh();
        var w = rng.NormalArray(rows * cols);
        var reference = DenseMath.JacobiSingularValues(w, rows, cols);
        var svd = new SubspaceSvd(new SubspaceSvdOptions(Tolerance: tolerance, MaxIterations: 2000));
        AssertTop3(reference, svd.Compute(Matrix(w, rows, cols)), tolerance, rng);
    }

    [Test]
    public void ConvShapedFloat32WeightIsViewedAsOutByRest()
    {
        var rng = TestRng.Fresh();
        var w = Tensor.RandomNormal([32, 16, 3, 3], (ulong)rng.Seed, std: 0.05);
        var exact = w.ToArray<float>().Select(x => (double)x).ToArray();
        var reference = DenseMath.JacobiSingularValues(exact, 32, 16 * 9);
        AssertTop3(reference, new SubspaceSvd().Compute(w), DefaultTolerance, rng);
    }

    [Test]
    public void KnownSpectrumWithNearlyEqualSigma1AndSigma2()
    {
        var rng = TestRng.Fresh();
        var s = new double[] { 10, 4 * (1 + 1e-9), 4, 3.9, 3.8, 3.7, 3.6, 3.5, 3.4, 3.3, 3.2, 3.1, 1, 0.5, 0.1 };
        var w = DenseMath.WithSingularValues(rng, 40, 15, s);
        var result = new SubspaceSvd(new SubspaceSvdOptions(Tolerance: 1e-11)).Compute(Matrix(w, 40, 15));
        AssertTop3(s, result, 1e-11, rng);
    }

    [Test]
    public void ClusterWiderThanTheBlockConverges()
    {
        var rng = TestRng.Fresh();
        // σ2 > σ3 > ... > σ9 within 15%: the block of 8 does not reach past the cluster.
        var s = Enumerable.Range(0, 30).Select(i => i == 0 ? 5.0 : i == 1 ? 3.0 : i < 10 ? 2.0 - 0.02 * i : 1.0 / i).ToArray();
        var w = DenseMath.WithSingularValues(rng, 30, 60, s);
        AssertTop3(s, new SubspaceSvd().Compute(Matrix(w, 30, 60)), DefaultTolerance, rng);
    }

    [Test]
    public void UnconvergedEstimateIsStillWithinItsResidual()
    {
        var rng = TestRng.Fresh();
        // A cluster with relative gaps of 5e-4: 40 iterations cannot separate it; the residual must say how far off.
        var s = Enumerable.Range(0, 30).Select(i => i == 0 ? 5.0 : i < 10 ? 2.0 - 1e-3 * i : 1.0 / i).ToArray();
        var w = DenseMath.WithSingularValues(rng, 30, 60, s);
        var result = new SubspaceSvd(new SubspaceSvdOptions(Tolerance: 1e-12, MaxIterations: 40)).Compute(Matrix(w, 30, 60));
        Assert.That(result.Converged, Is.False, rng.ToString());
        Assert.That(result.Iterations, Is.EqualTo(40));
        for (int i = 0; i < 3; i++)
            Assert.That(result.Values[i], Is.EqualTo(s[i]).Within(result.Residual * s[0]), $"σ{i}; {rng}");
    }

    [Test]
    public void RankDeficientMatrixHasZeroSigma2()
    {
        var rng = TestRng.Fresh();
        var s = new double[] { 4, 2 };
        var w = DenseMath.WithSingularValues(rng, 30, 40, s);
        var result = new SubspaceSvd().Compute(Matrix(w, 30, 40));
        AssertTop3([4, 2, 0], result, 1e-10, rng);
    }

    [Test]
    public void ZeroMatrixHasZeroSingularValues()
    {
        var result = new SubspaceSvd().Compute(Tensor.Zeros([6, 9], DType.Float64));
        Assert.That(result.Values, Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(result.Converged, Is.True);
    }

    [Test]
    public void MatrixWithOneRowHasOneSingularValue()
    {
        var rng = TestRng.Fresh();
        var w = rng.NormalArray(50);
        var result = new SubspaceSvd().Compute(Matrix(w, 1, 50));
        Assert.That(result.Values[0], Is.EqualTo(Math.Sqrt(w.Sum(x => x * x))).Within(1e-12).Percent, rng.ToString());
        Assert.That(double.IsNaN(result.Values[1]) && double.IsNaN(result.Values[2]), Is.True, "σ1, σ2 of a 1×n matrix do not exist");
    }

    [Test]
    public void WarmStartOnASlightlyChangedWeightNeedsFewIterations()
    {
        var rng = TestRng.Fresh();
        var s = Enumerable.Range(0, 24).Select(i => 3.0 * Math.Pow(0.9, i)).ToArray();
        var w = DenseMath.WithSingularValues(rng, 24, 96, s);
        var svd = new SubspaceSvd();
        var cold = svd.Compute(Matrix(w, 24, 96), "layer");
        var nudge = rng.NormalArray(w.Length, 1e-4);
        var w2 = w.Select((x, i) => x + nudge[i]).ToArray();
        var warm = svd.Compute(Matrix(w2, 24, 96), "layer");
        var coldAgain = new SubspaceSvd().Compute(Matrix(w2, 24, 96));
        AssertTop3(DenseMath.JacobiSingularValues(w2, 24, 96), warm, 1e-9, rng);
        Assert.That(warm.Iterations, Is.LessThanOrEqualTo(4), $"cold start took {cold.Iterations}, a cold start on the new weight {coldAgain.Iterations}; {rng}");
        Assert.That(warm.Iterations, Is.LessThan(coldAgain.Iterations), rng.ToString());
    }

    [Test]
    public void ABatchOfMixedShapesMatchesEachAlone()
    {
        var rng = TestRng.Fresh();
        // Block 8, the whole small side (12), one row, zero, and a float32 conv weight viewed as (out, rest).
        var shapes = new[] { (20, 30), (45, 12), (1, 50), (6, 9), (64, 144) };
        var weights = shapes.Select((s, l) => l == 3 ? Tensor.Zeros([s.Item1, s.Item2], DType.Float64) : Matrix(rng.NormalArray(s.Item1 * s.Item2), s.Item1, s.Item2)).ToList();
        var svd = new SubspaceSvd();
        var batch = svd.Compute(weights.Select((w, l) => ((string?)$"w{l}", w)).ToList());
        for (int l = 0; l < shapes.Length; l++)
        {
            var (m, n) = shapes[l];
            var reference = DenseMath.JacobiSingularValues(weights[l].ToArray<double>(), m, n);
            Assert.That(batch[l].Converged, Is.True, $"matrix {l}: residual {batch[l].Residual}; {rng}");
            for (int i = 0; i < Math.Min(3, Math.Min(m, n)); i++)
                Assert.That(batch[l].Values[i], Is.EqualTo(reference[i]).Within(DefaultTolerance * Math.Max(reference[0], 1e-300)), $"σ{i} of {m}×{n}; {rng}");
            var alone = new SubspaceSvd().Compute(weights[l]);
            Assert.That(batch[l].Iterations, Is.EqualTo(alone.Iterations), $"matrix {l} iterates as it does alone (done ones drop out); {rng}");
        }
    }

    [Test]
    public void AWarmTraceReadsTheDeviceOnce()
    {
        var rng = TestRng.Fresh();
        var s = Enumerable.Range(0, 24).Select(i => 3.0 * Math.Pow(0.9, i)).ToArray();
        var w = DenseMath.WithSingularValues(rng, 24, 96, s);
        var svd = new SubspaceSvd();
        svd.Compute(Matrix(w, 24, 96), "layer");
        var nudge = rng.NormalArray(w.Length, 1e-4);
        var warm = svd.Compute(Matrix(w.Select((x, i) => x + nudge[i]).ToArray(), 24, 96), "layer");
        Assert.That(warm.Iterations, Is.LessThan(svd.Options.CheckEvery), rng.ToString());
        Assert.That(svd.LastReads, Is.EqualTo(1), "converged before the first check: the state is read once");
    }

    [Test]
    public void ATraceThatAgainRunsToTheCapReadsOnce()
    {
        var rng = TestRng.Fresh();
        // A Gaussian 40×200: its flat spectrum is far from converged after 5 iterations.
        var w = Matrix(rng.NormalArray(40 * 200), 40, 200);
        var svd = new SubspaceSvd(new SubspaceSvdOptions(MaxIterations: 5, CheckEvery: 2));
        var first = svd.Compute(w, "layer");
        Assert.That(first.Converged, Is.False, $"the test needs a trace that stops at the cap; {rng}");
        Assert.That(svd.LastReads, Is.EqualTo(3), "reads after iterations 2 and 4 and at the cap");
        var second = svd.Compute(w, "layer");
        Assert.That(second.Converged, Is.False, rng.ToString());
        Assert.That(svd.LastReads, Is.EqualTo(1), "the last call stopped at the cap, so this one reads only there");
    }

    [Test]
    public void NetworkSpectraPairsEachWeightWithItsSnEstimate()
    {
        var layer = new Linear(20, 12, sn: new SpectralNormOptions(), seed: 3);
        Init.Orthogonal(layer.Weight, 4);
        using (var scope = new TensorScope())
            for (int i = 0; i < 60; i++) layer.Forward(Tensor.RandomNormal([2, 20], (ulong)i)); // power iteration converges
        var rows = new NetworkSpectra().Compute(7, "G", layer);
        Assert.That(rows, Has.Count.EqualTo(1));
        var row = rows[0];
        Assert.That((row.Step, row.Network, row.Layer), Is.EqualTo((7L, "G", "weight")));
        var reference = DenseMath.JacobiSingularValues(layer.Weight.ToArray<float>().Select(x => (double)x).ToArray(), 12, 20);
        Assert.That(row.Sigma0, Is.EqualTo(reference[0]).Within(1e-6 * reference[0])); // the default tolerance
        Assert.That(row.SnEstimate, Is.EqualTo(layer.NamedBuffers().Single(b => b.Key == "sv0").Value.Item()));
        // The power iteration on an orthogonal weight's flat spectrum converges slowly; W / sv0 is near unit norm.
        Assert.That(row.NormalizedSigma0, Is.EqualTo(1).Within(1e-2));
    }

    [Test]
    public void SnBufferNameSitsBesideTheWeight()
    {
        Assert.That(NetworkSpectra.SnBufferName("blocks.0.conv1.weight"), Is.EqualTo("blocks.0.conv1.sv0"));
        Assert.That(NetworkSpectra.SnBufferName("weight"), Is.EqualTo("sv0"));
    }

    [Test]
    public void SymmetricEigenReconstructsTheMatrix()
    {
        var rng = TestRng.Fresh();
        int n = 6;
        var x = rng.NormalArray(n * n);
        var a = DenseMath.MatMul(x, n, n, DenseMath.Transpose(x, n, n), n);
        var (values, vectors) = JacobiEigen.Decompose(a, n);
        Assert.That(values, Is.Ordered.Descending);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int c = 0; c < n; c++) s += vectors[i * n + c] * values[c] * vectors[j * n + c];
                Assert.That(s, Is.EqualTo(a[i * n + j]).Within(1e-10 * values[0]), rng.ToString());
            }
    }
}
