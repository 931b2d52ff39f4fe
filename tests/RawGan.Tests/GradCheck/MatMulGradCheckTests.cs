using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class MatMulGradCheckTests
{
    /// <summary>The stored shape of an operand whose op() is rows×cols.</summary>
    private static int[] Stored(bool trans, int rows, int cols) => trans ? [cols, rows] : [rows, cols];

    [Test]
    public void MatMulAllTransposes([Values] bool transA, [Values] bool transB, [Values(1, 3)] int m)
    {
        var rng = TestRng.Fresh();
        const int k = 4, n = 5;
        var a = rng.Normal(Stored(transA, m, k), requiresGrad: true);
        var b = rng.Normal(Stored(transB, k, n), requiresGrad: true);
        GradientChecker.Check($"MatMul tA={transA} tB={transB}", rng, xs => MatMul(xs[0], xs[1], transA, transB), [a, b]);
    }

    [Test]
    public void BatchedMatMulAllTransposes([Values] bool transA, [Values] bool transB, [Values(1, 3)] int batch)
    {
        var rng = TestRng.Fresh();
        const int m = 3, k = 5, n = 2;
        var a = rng.Normal([batch, .. Stored(transA, m, k)], requiresGrad: true);
        var b = rng.Normal([batch, .. Stored(transB, k, n)], requiresGrad: true);
        GradientChecker.Check($"BatchedMatMul tA={transA} tB={transB}", rng, xs => BatchedMatMul(xs[0], xs[1], transA, transB), [a, b]);
    }

    [Test]
    public void Linear_([Values] bool withBias, [Values(1, 4)] int batch)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([batch, 7], requiresGrad: true);
        var w = rng.Normal([3, 7], requiresGrad: true);
        var b = rng.Normal([3], requiresGrad: true);
        if (withBias) GradientChecker.Check("Linear with bias", rng, xs => Linear(xs[0], xs[1], xs[2]), [x, w, b]);
        else GradientChecker.Check("Linear", rng, xs => Linear(xs[0], xs[1]), [x, w]);
    }
}
