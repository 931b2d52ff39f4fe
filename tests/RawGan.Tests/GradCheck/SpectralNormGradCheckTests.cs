using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

/// <summary>
/// σ's gradient is defined (BIGGAN.md, as BigGAN-PyTorch) as u' vᵀ with u' and v held constant, which is not the
/// full derivative of a one-step estimate. So it is checked two ways: equal to u' vᵀ computed here by hand, and,
/// once the power iteration has converged, equal to the numerical gradient of the exact largest singular value.
/// </summary>
[Category("GradCheck")]
public class SpectralNormGradCheckTests
{
    private const double Eps = 1e-12;

    [TestCase(new[] { 4, 6 }, 1)]
    [TestCase(new[] { 5, 3 }, 1)]
    [TestCase(new[] { 3, 2, 3, 3 }, 1)]
    [TestCase(new[] { 4, 6 }, 3)]
    [TestCase(new[] { 1, 5 }, 1)]
    public void GradientIsTheOuterProductOfUAndV(int[] shape, int iterations)
    {
        var rng = TestRng.Fresh();
        int rows = shape[0], cols = (int)(Nd.Numel(shape) / rows);
        var w = rng.Normal(shape, requiresGrad: true);
        var u = rng.Normal([rows]);
        var (uPrime, v) = PowerIterations(w.ToDoubleArray(), rows, cols, u.ToDoubleArray(), iterations);

        var sigma = SpectralNormSigma(w, u, updateU: false, Eps, iterations);
        double upstream = rng.Uniform(0.5, 2.0);
        sigma.Backward(Tensor.Full(sigma.Shape, upstream, DType.Float64));

        var expected = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) expected[i * cols + j] = upstream * uPrime[i] * v[j];
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), expected, 1e-12, 1e-14, "dσ/dW = u' vᵀ", rng, shape);
    }

    [Test]
    public void GradientKeepsThisStepsVectorsWhenTheBufferMovesOn()
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal([4, 5], requiresGrad: true);
        var u = rng.Normal([4]);
        var (uPrime, v) = PowerIterations(w.ToDoubleArray(), 4, 5, u.ToDoubleArray(), 1);

        var sigma = SpectralNormSigma(w, u, updateU: true);
        Tolerance.AssertClose(u.ToDoubleArray(), uPrime, 1e-12, 1e-14, "u updated to u'", rng);
        _ = SpectralNormSigma(w, u, updateU: true); // a second step moves the buffer again
        sigma.Backward();

        var expected = new double[20];
        for (int i = 0; i < 4; i++)
        for (int j = 0; j < 5; j++) expected[i * 5 + j] = uPrime[i] * v[j];
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), expected, 1e-12, 1e-14, "gradient of the first step", rng);
    }

    [TestCase(4, 6)]
    [TestCase(6, 3)]
    public void ConvergedGradientIsTheNumericalGradientOfTheLargestSingularValue(int rows, int cols)
    {
        var rng = TestRng.Fresh();
        int r = Math.Min(rows, cols);
        // A clear spectral gap (σ1/σ0 = 0.5): 500 iterations converge far below double precision.
        var s = Enumerable.Range(0, r).Select(i => i == 0 ? 3.0 : 1.5 - i * 0.3).ToArray();
        var wData = DenseMath.WithSingularValues(rng, rows, cols, s);
        var w = TestRng.Make(wData, [rows, cols], requiresGrad: true);
        var u = rng.Normal([rows]);

        var sigma = SpectralNormSigma(w, u, updateU: false, Eps, iterations: 500);
        Assert.That(sigma.Item(), Is.EqualTo(3.0).Within(1e-10), rng.ToString());
        sigma.Backward();

        var numeric = GradientChecker.CentralDifference(x => DenseMath.SingularValues(x, rows, cols)[0], wData);
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), numeric, GradientChecker.DefaultRelative, GradientChecker.DefaultAbsolute,
                              "converged dσ/dW against numerical dσ_max/dW", rng, [rows, cols]);
    }

    [Test]
    public void SpectralNormalizeHasTheGradientOfWOverAFixedVectorSigma()
    {
        // With u' and v held constant, σ = u'ᵀ W v is smooth in W with true gradient u' vᵀ. So W/σ(W) must have
        // the gradient of W / (u'ᵀ W v): that expression is gradient-checked, then compared with the op.
        var rng = TestRng.Fresh();
        var w = rng.Normal([3, 4], requiresGrad: true);
        var u = rng.Normal([3]);
        var (uPrime, v) = PowerIterations(w.ToDoubleArray(), 3, 4, u.ToDoubleArray(), 1);
        var uRow = TestRng.Make(uPrime, [1, 3]);
        var vColumn = TestRng.Make(v, [4, 1]);
        Tensor FixedVectors(Tensor x) => Div(x, Reshape(MatMul(MatMul(uRow, x), vColumn), new Shape()));
        GradientChecker.Check("W / (u'ᵀ W v)", rng, xs => FixedVectors(xs[0]), [w]);

        var weights = rng.Normal([3, 4]);
        w.Grad = null;
        var reference = FixedVectors(w);
        var referenceValues = reference.ToDoubleArray(); // before Backward, which frees the graph's tensors
        Sum(Mul(reference, weights)).Backward();
        var expected = w.Grad!.ToDoubleArray();
        w.Grad = null;
        var normalized = SpectralNormalize(w, u, updateU: false);
        Tolerance.AssertClose(normalized.ToDoubleArray(), referenceValues, 1e-12, 1e-14, "W/σ", rng);
        Sum(Mul(normalized, weights)).Backward();
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), expected, 1e-12, 1e-14, "gradient of W/σ", rng);
    }

    /// <summary>v = normalize(Wᵀu), u' = normalize(W v), repeated; written out independently of the engine.</summary>
    internal static (double[] U, double[] V) PowerIterations(double[] w, int rows, int cols, double[] u, int iterations)
    {
        double[] v = new double[cols];
        for (int it = 0; it < iterations; it++)
        {
            v = new double[cols];
            for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) v[j] += w[i * cols + j] * u[i];
            v = DenseMath.Normalize(v, Eps);
            var wv = new double[rows];
            for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) wv[i] += w[i * cols + j] * v[j];
            u = DenseMath.Normalize(wv, Eps);
        }
        return (u, v);
    }
}
