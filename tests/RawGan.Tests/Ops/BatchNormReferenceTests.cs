using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Batch norm (training, eval, running-statistics update) against nested-loop references.</summary>
public class BatchNormReferenceTests
{
    private const double Eps = 1e-5;
    // The last has rows long enough for the CPU's SIMD loops (63 = whole vectors and a tail).
    private static readonly int[][] Shapes = [[4, 3, 2, 3], [1, 2, 4, 4], [5, 4], [3, 2, 7], [2, 3, 9, 7]];

    /// <summary>Per-channel mean and biased variance of x viewed as (N, C, spatial).</summary>
    private static (double[] Mean, double[] Var) Statistics(double[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], spatial = (int)(Nd.Numel(shape) / (n * c));
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++) s += x[(i * c + ch) * spatial + k];
            mean[ch] = s / (n * spatial);
            double ss = 0;
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++) ss += Math.Pow(x[(i * c + ch) * spatial + k] - mean[ch], 2);
            variance[ch] = ss / (n * spatial);
        }
        return (mean, variance);
    }

    private static double[] Normalize(double[] x, int[] shape, double[] mean, double[] variance, double[]? gamma, double[]? beta)
    {
        int n = shape[0], c = shape[1], spatial = (int)(Nd.Numel(shape) / (n * c));
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
        for (int k = 0; k < spatial; k++)
        {
            int at = (i * c + ch) * spatial + k;
            y[at] = (x[at] - mean[ch]) / Math.Sqrt(variance[ch] + Eps) * (gamma?[ch] ?? 1) + (beta?[ch] ?? 0);
        }
        return y;
    }

    [Test]
    public void TrainingNormalisesWithBatchStatisticsAndUpdatesRunningOnes(
        [Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape, [Values] bool affine)
    {
        var rng = TestRng.Fresh();
        int c = shape[1];
        long count = Nd.Numel(shape) / c;
        var x = TestRng.Make(rng.NormalArray(Nd.Numel(shape), 2.0).Select(v => v + 3).ToArray(), shape, dtype);
        var gamma = affine ? rng.Uniform([c], 0.5, 1.5, dtype) : null;
        var beta = affine ? rng.Normal([c], dtype) : null;
        var runningMean = rng.Normal([c], dtype);
        var runningVar = rng.Uniform([c], 0.5, 2.0, dtype);
        var rm0 = runningMean.ToDoubleArray();
        var rv0 = runningVar.ToDoubleArray();
        double momentum = rng.Uniform(0.05, 0.5);

        var y = BatchNorm(x, runningMean, runningVar, gamma, beta, training: true, momentum, Eps);

        var xv = x.ToDoubleArray();
        var (mean, variance) = Statistics(xv, shape);
        Tolerance.AssertClose(y, Normalize(xv, shape, mean, variance, gamma?.ToDoubleArray(), beta?.ToDoubleArray()), "BatchNorm training", rng, scale: 4);
        // r ← (1 − momentum)·r + momentum·batch, with the unbiased variance (PyTorch's convention).
        Tolerance.AssertClose(runningMean, rm0.Select((r, i) => (1 - momentum) * r + momentum * mean[i]).ToArray(), "running mean", rng);
        Tolerance.AssertClose(runningVar, rv0.Select((r, i) => (1 - momentum) * r + momentum * variance[i] * count / (count - 1)).ToArray(), "running variance", rng);
    }

    [Test]
    public void EvalNormalisesWithRunningStatisticsAndLeavesThem(
        [Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape, [Values] bool affine)
    {
        var rng = TestRng.Fresh();
        int c = shape[1];
        var x = rng.Normal(shape, dtype);
        var gamma = affine ? rng.Uniform([c], 0.5, 1.5, dtype) : null;
        var beta = affine ? rng.Normal([c], dtype) : null;
        var runningMean = rng.Normal([c], dtype);
        var runningVar = rng.Uniform([c], 0.5, 2.0, dtype);
        var rm0 = runningMean.ToDoubleArray();
        var rv0 = runningVar.ToDoubleArray();

        var y = BatchNorm(x, runningMean, runningVar, gamma, beta, training: false, eps: Eps);

        Tolerance.AssertClose(y, Normalize(x.ToDoubleArray(), shape, rm0, rv0, gamma?.ToDoubleArray(), beta?.ToDoubleArray()), "BatchNorm eval", rng);
        Assert.That(runningMean.ToDoubleArray(), Is.EqualTo(rm0), "eval leaves the running mean");
        Assert.That(runningVar.ToDoubleArray(), Is.EqualTo(rv0), "eval leaves the running variance");
    }

    [Test]
    public void TrainingWithoutRunningStatistics([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        int[] shape = [3, 2, 5];
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        var (mean, variance) = Statistics(xv, shape);
        Tolerance.AssertClose(BatchNorm(x, null, null, null, null, training: true, eps: Eps), Normalize(xv, shape, mean, variance, null, null), "BatchNorm", rng, scale: 4);
    }

    // The backward kernel with batch statistics against the formula in double, per element, on rows long enough for
    // the CPU's SIMD loops: dβ = Σdy, dγ = Σdy·x̂, dx = γ·invstd/M·(M·dy − Σdy − x̂·Σ(dy·x̂)).
    [Test]
    public void BackwardWithBatchStatisticsByHand([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        int[] shape = [3, 4, 5, 13];
        int n = shape[0], c = shape[1], spatial = shape[2] * shape[3];
        var x = rng.Normal(shape, dtype);
        var dy = rng.Normal(shape, dtype);
        var gamma = rng.Normal([c], dtype);
        var (mean, variance) = Statistics(x.ToDoubleArray(), shape);
        var meanT = Tensor.FromArray(mean, device: null);
        var varT = Tensor.FromArray(variance, device: null);
        if (dtype == DType.Float32) (meanT, varT) = (ToDType(meanT, DType.Float32), ToDType(varT, DType.Float32));
        var dx = Tensor.Zeros(new Shape(shape), dtype);
        var dgamma = Tensor.Zeros(new Shape(c), dtype);
        var dbeta = Tensor.Zeros(new Shape(c), dtype);
        x.Backend.BatchNormBackward(x.Storage, dy.Storage, meanT.Storage, varT.Storage, gamma.Storage, Eps, true,
                                    dx.Storage, dgamma.Storage, dbeta.Storage, n, c, spatial);

        double[] xv = x.ToDoubleArray(), dyv = dy.ToDoubleArray(), gv = gamma.ToDoubleArray(), mv = meanT.ToDoubleArray(), vv = varT.ToDoubleArray();
        var expectedDx = new double[xv.Length];
        double[] expectedDgamma = new double[c], expectedDbeta = new double[c];
        double count = (double)n * spatial;
        for (int ch = 0; ch < c; ch++)
        {
            double invStd = 1 / Math.Sqrt(vv[ch] + Eps), sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++)
            {
                long at = ((long)i * c + ch) * spatial + k;
                sumDy += dyv[at];
                sumDyXhat += dyv[at] * (xv[at] - mv[ch]) * invStd;
            }
            expectedDgamma[ch] = sumDyXhat;
            expectedDbeta[ch] = sumDy;
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++)
            {
                long at = ((long)i * c + ch) * spatial + k;
                expectedDx[at] = gv[ch] * invStd / count * (count * dyv[at] - sumDy - (xv[at] - mv[ch]) * invStd * sumDyXhat);
            }
        }
        Tolerance.AssertClose(dx, expectedDx, "dx", rng, scale: 4);
        Tolerance.AssertClose(dgamma, expectedDgamma, "dgamma", rng, scale: 4);
        Tolerance.AssertClose(dbeta, expectedDbeta, "dbeta", rng, scale: 4);
    }

    [Test]
    public void RejectsWhatItCannotNormalise()
    {
        var one = Tensor.Zeros(new Shape(1, 3), DType.Float64);
        Assert.Throws<ArgumentException>(() => BatchNorm(one, null, null, null, null, training: true), "one value per channel");
        var x = Tensor.Zeros(new Shape(2, 3), DType.Float64);
        Assert.Throws<ArgumentException>(() => BatchNorm(x, null, null, null, null, training: false), "eval without running statistics");
        Assert.Throws<ArgumentException>(() => BatchNorm(x, null, null, Tensor.Ones(new Shape(2), DType.Float64), null, training: true), "gamma of the wrong size");
    }
}
