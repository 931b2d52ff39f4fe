using RawGan.Engine;
using RawGan.Tests.GradCheck;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>The power iteration against a hand-written step, and the converged σ against an independent SVD.</summary>
public class SpectralNormReferenceTests
{
    private const double Eps = 1e-12;

    [Test]
    public void OneStepByHand([Values(DType.Float32, DType.Float64)] DType dtype, [Values] bool updateU)
    {
        var rng = TestRng.Fresh();
        int[] shape = [4, 2, 3, 1];
        const int rows = 4, cols = 6;
        var w = rng.Normal(shape, dtype);
        var u = rng.Normal([rows], dtype);
        var u0 = u.ToDoubleArray();
        var wv = w.ToDoubleArray();

        var sigma = SpectralNormSigma(w, u, updateU, Eps);

        var (uPrime, v) = SpectralNormGradCheckTests.PowerIterations(wv, rows, cols, u0, 1);
        double expected = 0;
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) expected += uPrime[i] * wv[i * cols + j] * v[j];
        Assert.That(sigma.Shape, Is.EqualTo(new Shape()));
        Tolerance.AssertClose(sigma, [expected], "σ = u'ᵀ W v", rng);
        if (updateU) Tolerance.AssertClose(u, uPrime, "u after an update", rng);
        else Assert.That(u.ToDoubleArray(), Is.EqualTo(u0), "u unchanged without an update");
    }

    // Shapes whose passes the CPU splits over the workers (Wᵀu by columns in slices of 16, a ragged last one) and one
    // it runs on one thread (few columns, many rows), against the same hand-written step.
    [TestCase(300, 2003)]
    [TestCase(128, 8192)]
    [TestCase(3000, 20)]
    public void LargeShapesByHand(int rows, int cols)
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal([rows, cols], DType.Float64);
        var u = rng.Normal([rows], DType.Float64);
        var u0 = u.ToDoubleArray();
        var wv = w.ToDoubleArray();

        var sigma = SpectralNormSigma(w, u, updateU: true, Eps);

        var (uPrime, v) = SpectralNormGradCheckTests.PowerIterations(wv, rows, cols, u0, 1);
        double expected = 0;
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) expected += uPrime[i] * wv[i * cols + j] * v[j];
        Tolerance.AssertClose(sigma, [expected], "σ = u'ᵀ W v", rng);
        Tolerance.AssertClose(u, uPrime, "u after an update", rng);
    }

    [Test]
    public void ConvergedSigmaIsTheLargestSingularValue([Values(DType.Float32, DType.Float64)] DType dtype, [Values(3, 7)] int rows)
    {
        var rng = TestRng.Fresh();
        const int cols = 5;
        var w = rng.Normal([rows, cols], dtype);
        var singular = DenseMath.SingularValues(w.ToDoubleArray(), rows, cols);
        // Random matrices can have close top singular values; enough iterations for a gap ratio up to 0.97.
        int iterations = (int)Math.Ceiling(Math.Log(1e-18) / (2 * Math.Log(Math.Min(singular[1] / singular[0], 0.97))));
        var sigma = SpectralNormSigma(w, rng.Normal([rows], dtype), updateU: false, Eps, iterations);
        Tolerance.AssertClose(sigma, [singular[0]], "σ_max", rng, scale: 4);
    }

    [Test]
    public void SigmaOfAConstructedSpectrum()
    {
        var rng = TestRng.Fresh();
        var w = TestRng.Make(DenseMath.WithSingularValues(rng, 6, 4, [2.5, 1.0, 0.5, 0.1]), [6, 4]);
        var sigma = SpectralNormSigma(w, rng.Normal([6]), updateU: false, Eps, iterations: 200);
        Assert.That(sigma.Item(), Is.EqualTo(2.5).Within(1e-12), rng.ToString());
    }
}
