using RawGan.Engine;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Ops;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

/// <summary>
/// The fused conditional batch norm + ReLU against a nested-loop reference, and against the unfused composition
/// BigGAN used before (BatchNorm without affine → ·(1 + gain) → + bias → ReLU): values, running statistics and
/// every gradient.
/// </summary>
public class ConditionalBatchNormReluReferenceTests
{
    private const double Eps = 1e-5;
    private static readonly int[][] Shapes = [[4, 3, 2, 3], [1, 2, 4, 4], [5, 4], [3, 2, 7], [2, 5, 9, 11]];

    /// <summary>relu((x − mean)/sqrt(var + eps)·(1 + gain[i, c]) + bias[i, c]) by nested loops.</summary>
    private static double[] Reference(double[] x, int[] shape, double[] mean, double[] variance, double[] gain, double[] bias)
    {
        int n = shape[0], c = shape[1], spatial = (int)(Nd.Numel(shape) / (n * c));
        var y = new double[x.Length];
        for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++)
        for (int k = 0; k < spatial; k++)
        {
            int at = (i * c + ch) * spatial + k;
            double z = (x[at] - mean[ch]) / Math.Sqrt(variance[ch] + Eps) * (1 + gain[i * c + ch]) + bias[i * c + ch];
            y[at] = Math.Max(0, z);
        }
        return y;
    }

    private static (double[] Mean, double[] Var) BatchStatistics(double[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], spatial = (int)(Nd.Numel(shape) / (n * c));
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            double s = 0, ss = 0;
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++) s += x[(i * c + ch) * spatial + k];
            mean[ch] = s / (n * spatial);
            for (int i = 0; i < n; i++)
            for (int k = 0; k < spatial; k++) ss += Math.Pow(x[(i * c + ch) * spatial + k] - mean[ch], 2);
            variance[ch] = ss / (n * spatial);
        }
        return (mean, variance);
    }

    [Test]
    public void MatchesNestedLoops([Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape, [Values] bool training)
    {
        var rng = TestRng.Fresh();
        int n = shape[0], c = shape[1];
        long count = Nd.Numel(shape) / c;
        // In training an offset mean (3 ± 2) checks that the batch variance is computed without cancellation; in
        // eval x stays near the running mean so that the ReLU sees both signs.
        double offset = training ? 3 : 0;
        var x = TestRng.Make(rng.NormalArray(Nd.Numel(shape), 2.0).Select(v => v + offset).ToArray(), shape, dtype);
        // Bias small against x̂'s spread, so that every shape sees both signs before the ReLU.
        var gain = rng.Normal([n, c], dtype, std: 0.3);
        var bias = rng.Normal([n, c], dtype, std: 0.5);
        var runningMean = rng.Normal([c], dtype);
        var runningVar = rng.Uniform([c], 0.5, 2.0, dtype);
        var rm0 = runningMean.ToDoubleArray();
        var rv0 = runningVar.ToDoubleArray();
        double momentum = rng.Uniform(0.05, 0.5);

        var y = Ops.ConditionalBatchNormRelu(x, runningMean, runningVar, gain, bias, training, momentum, Eps);

        var xv = x.ToDoubleArray();
        var (mean, variance) = training ? BatchStatistics(xv, shape) : (rm0, rv0);
        Tolerance.AssertClose(y, Reference(xv, shape, mean, variance, gain.ToDoubleArray(), bias.ToDoubleArray()), "forward", rng, scale: 4);
        Assert.That(y.ToDoubleArray().Count(v => v > 0), Is.InRange(1, y.Numel - 1), "the ReLU both passes and blocks values");
        if (training)
        {
            Tolerance.AssertClose(runningMean, rm0.Select((r, i) => (1 - momentum) * r + momentum * mean[i]).ToArray(), "running mean", rng);
            Tolerance.AssertClose(runningVar, rv0.Select((r, i) => (1 - momentum) * r + momentum * variance[i] * count / (count - 1)).ToArray(), "running variance", rng);
        }
        else
        {
            Assert.That(runningMean.ToDoubleArray(), Is.EqualTo(rm0), "eval leaves the running mean");
            Assert.That(runningVar.ToDoubleArray(), Is.EqualTo(rv0), "eval leaves the running variance");
        }
    }

    [Test]
    public void EqualsTheUnfusedCompositionWithGradients([Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape,
                                                         [Values] bool training)
    {
        var rng = TestRng.Fresh();
        int n = shape[0], c = shape[1];
        var x = rng.Normal(shape, dtype, requiresGrad: true, std: 1.5);
        var gain = rng.Normal([n, c], dtype, requiresGrad: true, std: 0.5);
        var bias = rng.Normal([n, c], dtype, requiresGrad: true);
        var dy = rng.Normal(shape, dtype);
        var rmFused = rng.Normal([c], dtype);
        var rvFused = rng.Uniform([c], 0.5, 2.0, dtype);
        var rmPlain = rmFused.Clone();
        var rvPlain = rvFused.Clone();
        var xPlain = Detached(x);
        var gainPlain = Detached(gain);
        var biasPlain = Detached(bias);

        var fused = Ops.ConditionalBatchNormRelu(x, rmFused, rvFused, gain, bias, training, 0.1, Eps);
        var normalized = Ops.BatchNorm(xPlain, rmPlain, rvPlain, null, null, training, 0.1, Eps);
        int spatial = (int)(Nd.Numel(shape) / (n * c));
        var scale = Ops.AddScalar(Ops.Reshape(gainPlain, n, c, 1), 1.0);
        var shifted = Ops.Add(Ops.Mul(Ops.Reshape(normalized, n, c, spatial), scale), Ops.Reshape(biasPlain, n, c, 1));
        var plain = Ops.Reshape(Ops.Relu(shifted), shape);
        fused.Backward(dy);
        plain.Backward(dy);

        double tol = dtype == DType.Float64 ? 1e-12 : 1e-5;
        AssertClose(fused, plain, tol, "forward");
        AssertClose(rmFused, rmPlain, tol, "running mean");
        AssertClose(rvFused, rvPlain, tol, "running variance");
        AssertClose(x.Grad!, xPlain.Grad!, tol, "dx");
        AssertClose(gain.Grad!, gainPlain.Grad!, tol, "dgain");
        AssertClose(bias.Grad!, biasPlain.Grad!, tol, "dbias");
    }

    [Test]
    public void RejectsWhatItCannotNormalise()
    {
        var x = Tensor.Zeros(new Shape(2, 3, 2), DType.Float64);
        var gain = Tensor.Zeros(new Shape(2, 3), DType.Float64);
        var bias = Tensor.Zeros(new Shape(2, 3), DType.Float64);
        Assert.Throws<ArgumentException>(() => Ops.ConditionalBatchNormRelu(x, null, null, gain, bias, training: false), "eval without running statistics");
        Assert.Throws<ArgumentException>(() => Ops.ConditionalBatchNormRelu(x, null, null, Tensor.Zeros(new Shape(3), DType.Float64), bias, training: true),
                                         "gain per channel instead of per sample");
        Assert.Throws<ArgumentException>(() => Ops.ConditionalBatchNormRelu(x, null, null, gain, Tensor.Zeros(new Shape(3, 2), DType.Float64), training: true),
                                         "bias transposed");
        Assert.Throws<ArgumentException>(() => Ops.ConditionalBatchNormRelu(Tensor.Zeros(new Shape(1, 3), DType.Float64), null, null,
                                                                            Tensor.Zeros(new Shape(1, 3), DType.Float64), Tensor.Zeros(new Shape(1, 3), DType.Float64),
                                                                            training: true), "one value per channel");
    }

    private static Tensor Detached(Tensor t)
    {
        var copy = t.Clone();
        copy.RequiresGrad = true;
        return copy;
    }

    // Norm-wise relative error, as the CUDA parity tests measure it.
    private static void AssertClose(Tensor actual, Tensor expected, double tol, string what)
    {
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        double diff = a.Zip(e, (p, q) => Math.Abs(p - q)).Max(), scale = e.Max(Math.Abs);
        Assert.That(diff / Math.Max(scale, 1e-300), Is.LessThanOrEqualTo(tol), $"{what}: max |Δ| {diff:e3}, scale {scale:e3}");
    }
}
