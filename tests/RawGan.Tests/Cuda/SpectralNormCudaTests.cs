using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class SpectralNormCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // A conv weight (rows 64, cols 27), columns not a multiple of 32, a tall matrix whose Wᵀu is split into row
    // slices, a single row, and a single column.
    private static readonly int[][] Shapes = [[7, 5], [64, 3, 3, 3], [33, 1000], [3000, 40], [1, 17], [45, 1]];

    [Test]
    public void SigmaUAndGradientMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values(true, false)] bool updateU,
                                             [Values(1, 3)] int iterations, [Range(0, 5)] int which)
    {
        var rng = Seeded(out _);
        Compare(Shapes[which], dtype, updateU, iterations, rng);
    }

    // BigGAN's largest weights: a 3x3 conv with 1536 input channels and 1536 outputs, and a wide linear layer
    // with its transpose (the generator's first linear is 24576×148).
    [Test]
    public void BigGanSizedWeightsMatchTheCpu([Values(0, 1, 2)] int which)
    {
        var rng = Seeded(out _);
        int[][] shapes = [[1536, 1536, 3, 3], [2048, 24576], [24576, 148]];
        Compare(shapes[which], DType.Float32, updateU: true, iterations: 1, rng);
    }

    private static void Compare(Shape shape, DType dtype, bool updateU, int iterations, Random rng)
    {
        int rows = shape[0];
        var (w, gw) = Pair(shape, dtype, rng);
        var (u, gu) = Pair([rows], dtype, rng);
        w.RequiresGrad = gw.RequiresGrad = true;
        var before = u.ToDoubleArray();

        var sigma = Ops.SpectralNormSigma(w, u, updateU, iterations: iterations);
        var gsigma = Ops.SpectralNormSigma(gw, gu, updateU, iterations: iterations);
        string what = $"{shape} {dtype} updateU {updateU} iterations {iterations}";
        AssertClose(gsigma, sigma, $"sigma {what}");
        AssertClose(gu, u, $"u {what}");
        if (!updateU) Assert.That(gu.ToDoubleArray(), Is.EqualTo(before), $"u must not change without updateU ({what})");
        sigma.Backward();
        gsigma.Backward();
        AssertClose(gw.Grad!, w.Grad!, $"dW {what}");
    }
}
