using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Model.BigGan;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Nn;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Init.Orthogonal by CholeskyQR2: orthonormal rows (or columns) to working precision at the shapes where
/// CholeskyQR is weakest (square and nearly square Gaussians, the worst conditioned), and the factor it returns is
/// the sign-corrected Q of a QR of its own Gaussian draw: Y = L⁻¹X with X Yᵀ = L lower triangular, positive diagonal.
/// </summary>
public class OrthogonalInitTests
{
    [TestCase(256, 256)]
    [TestCase(256, 257)]
    [TestCase(257, 256)]
    [TestCase(300, 299)]
    [TestCase(1, 40)]
    [TestCase(40, 1)]
    [TestCase(600, 8)]
    [TestCase(384, 3456)] // a BigGAN 3×3 convolution, several row blocks: one pass suffices
    public void OrthonormalAndTheQOfItsGaussiansQr(int rows, int cols)
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Seed;
        var w = Tensor.Zeros([rows, cols], DType.Float64);
        Init.Orthogonal(w, seed);
        int m = Math.Min(rows, cols), n = Math.Max(rows, cols);
        var y = rows < cols ? w : Ops.Transpose(w, 0, 1);                       // m × n, orthonormal rows
        var x = Tensor.RandomNormal([m, n], seed, dtype: DType.Float64);          // the draw Init.Orthogonal factorised
        AssertOrthonormalRows(y, 1e-12, rng);
        AssertLowerTriangularWithPositiveDiagonal(Ops.MatMul(x, y, transB: true), 1e-10, rng);
    }

    [Test]
    public void IllConditionedInputTakesTheShiftedPass()
    {
        var rng = TestRng.Fresh();
        // κ = 1e12: the Gram matrix's κ² is past 1/ε, so plain Cholesky fails and the shifted pass must carry it.
        var s = Enumerable.Range(0, 40).Select(i => Math.Pow(10, -12.0 * i / 39)).ToArray();
        var x = Tensor.FromArray(DenseMath.WithSingularValues(rng, 40, 70, s), new Shape(40, 70));
        var y = CholeskyQr.OrthonormalRows(x);
        AssertOrthonormalRows(y, 1e-12, rng);
        AssertLowerTriangularWithPositiveDiagonal(Ops.MatMul(x, y, transB: true), 1e-12, rng);
    }

    [Test]
    public void RankDeficientInputIsAnErrorNotAWrongAnswer()
    {
        var x = Tensor.Zeros([3, 5], DType.Float64);
        Assert.That(() => CholeskyQr.OrthonormalRows(x), Throws.TypeOf<ArithmeticException>().With.Message.Contains("(3, 5)"));
    }

    [Test]
    [Category("Slow")]
    public void ImageNet128FirstBlockConvolutionIsOrthogonal()
    {
        // The largest weights of the preset: 1536 × 13824 (G's first block, D's last). Float64 so that 1e-10 is meaningful.
        var g = new BigGanGenerator(BigGanConfig.ImageNet128 with { DType = DType.Float64 }, seed: 3);
        var w = g.Blocks[0].Conv1.Weight;
        Assert.That(w.Shape, Is.EqualTo(new Shape(1536, 1536, 3, 3)));
        AssertOrthonormalRows(Ops.Reshape(w, 1536, 13824), 1e-10, null);
    }

    private static void AssertOrthonormalRows(Tensor y, double tolerance, TestRng? rng)
    {
        int m = y.Shape[0];
        var gram = Ops.MatMul(y, y, transB: true).ToArray<double>();
        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) worst = Math.Max(worst, Math.Abs(gram[i * m + j] - (i == j ? 1 : 0)));
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance), $"max |Y Yᵀ − I| for {y.Shape}; {rng}");
    }

    // R = Lᵀ of the QR Xᵀ = Yᵀ Lᵀ: lower triangular (relative to its largest entry) with a positive diagonal.
    private static void AssertLowerTriangularWithPositiveDiagonal(Tensor l, double tolerance, TestRng rng)
    {
        int m = l.Shape[0];
        var a = l.ToArray<double>();
        double scale = a.Max(Math.Abs), above = 0;
        for (int i = 0; i < m; i++)
        {
            Assert.That(a[i * m + i], Is.GreaterThan(0), $"diagonal {i}; {rng}");
            for (int j = i + 1; j < m; j++) above = Math.Max(above, Math.Abs(a[i * m + j]));
        }
        Assert.That(above / scale, Is.LessThanOrEqualTo(tolerance), $"entries above the diagonal of X Yᵀ ({m}×{m}); {rng}");
    }
}
