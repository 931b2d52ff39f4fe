using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>
/// General k×k pooling (stride, padding, count_include_pad) against nested loops that walk each padded window and
/// scatter its gradient, the opposite of the kernels' per-element gather; float32 and float64.
/// </summary>
public class Pool2dReferenceTests
{
    // N, C, H, W, kernel, stride, padding: Inception's 3×3 stride 1 pad 1 (A/C/E branches, E_2's max pool) and 3×3
    // stride 2 (stem, grid reductions), odd and tiny sizes, a kernel that is not 3, stride larger than the kernel.
    private static readonly int[][] Cases =
    [
        [2, 3, 7, 6, 3, 1, 1], [1, 2, 9, 11, 3, 2, 0], [1, 1, 3, 3, 3, 1, 1], [2, 2, 5, 5, 3, 2, 1],
        [1, 3, 8, 7, 5, 2, 2], [1, 2, 1, 1, 1, 1, 0], [2, 1, 6, 9, 2, 3, 1], [1, 2, 10, 10, 4, 3, 2],
    ];

    private static IEnumerable<TestCaseData> All()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            foreach (var c in Cases)
                foreach (bool include in new[] { true, false })
                    yield return new TestCaseData(dtype, c, include);
    }

    [TestCaseSource(nameof(All))]
    public void AverageForwardAndBackward(DType dtype, int[] p, bool countIncludePad)
    {
        var rng = TestRng.Fresh();
        var g = Geometry(p, countIncludePad);
        var x = rng.Normal([g.N, g.C, g.H, g.W], dtype, requiresGrad: true);
        var dy = rng.Normal([g.N, g.C, g.OutH, g.OutW], dtype);
        var (y, dx) = Reference(PoolKind.Average, g, x.ToDoubleArray(), dy.ToDoubleArray());
        var yt = AvgPool2d(x, p[4], p[5], p[6], countIncludePad);
        Assert.That(yt.Shape, Is.EqualTo(new Shape(g.N, g.C, g.OutH, g.OutW)));
        Tolerance.AssertClose(yt, y, $"avg pool {g}", rng);
        yt.Backward(dy);
        Tolerance.AssertClose(x.Grad!, dx, $"avg pool gradient {g}", rng);
    }

    [TestCaseSource(nameof(All))]
    public void MaxForwardAndBackward(DType dtype, int[] p, bool unused)
    {
        _ = unused; // max pooling has no count_include_pad; the case list is shared
        var rng = TestRng.Fresh();
        var g = Geometry(p, countIncludePad: true);
        // Negative values too: a window that reached into the padding must not see a 0 there.
        var x = rng.Distinct([g.N, g.C, g.H, g.W], dtype: dtype, requiresGrad: true);
        var dy = rng.Normal([g.N, g.C, g.OutH, g.OutW], dtype);
        var (y, dx) = Reference(PoolKind.Max, g, x.ToDoubleArray(), dy.ToDoubleArray());
        var yt = MaxPool2d(x, p[4], p[5], p[6]);
        Tolerance.AssertClose(yt, y, $"max pool {g}", rng);
        yt.Backward(dy);
        Tolerance.AssertClose(x.Grad!, dx, $"max pool gradient {g}", rng);
    }

    [Test]
    public void MaxPoolRoutesTiesToTheFirstMaximumOfEachWindow()
    {
        // 1×1×2×3 all equal, 3×3 windows stride 1 pad 1: every window's first maximum is its top-left input element.
        var x = TestRng.Make([5, 5, 5, 5, 5, 5], [1, 1, 2, 3], requiresGrad: true);
        var y = MaxPool2d(x, 3, 1, 1);
        y.Backward(TestRng.Make([1, 10, 100, 1000, 10000, 100000], [1, 1, 2, 3]));
        // Windows (0,0) and (1,0) start at (0,0); (0,1) and (1,1) at (0,0); (0,2) and (1,2) at (0,1).
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 1 + 10 + 1000 + 10000, 100 + 100000, 0, 0, 0, 0 }));
    }

    [Test]
    public void CountIncludePadChangesOnlyTheBorderDivisor()
    {
        var x = TestRng.Make([1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 3, 3]);
        Assert.That(AvgPool2d(x, 3, 1, 1, countIncludePad: false).ToDoubleArray(), Is.All.EqualTo(1.0));
        Assert.That(AvgPool2d(x, 3, 1, 1, countIncludePad: true).ToDoubleArray(),
                    Is.EqualTo(new[] { 4 / 9.0, 6 / 9.0, 4 / 9.0, 6 / 9.0, 1, 6 / 9.0, 4 / 9.0, 6 / 9.0, 4 / 9.0 }).Within(1e-15));
    }

    [Test]
    public void TwoByTwoStrideTwoMatchesTheFastPath()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 3, 5, 7]);
        Assert.That(AvgPool2d(x, 2, 2).ToDoubleArray(), Is.EqualTo(AvgPool2d(x).ToDoubleArray()));
        Assert.That(MaxPool2d(x, 2, 2).ToDoubleArray(), Is.EqualTo(MaxPool2d(x).ToDoubleArray()));
    }

    [Test]
    public void RejectsPaddingOverHalfTheKernelAndWindowsThatDoNotFit()
    {
        var x = TestRng.Make(new double[4], [1, 1, 2, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => MaxPool2d(x, 3, 1, 2));
        Assert.Throws<ArgumentException>(() => AvgPool2d(x, 3, 1, 0));
    }

    private static Pool2dGeometry Geometry(int[] p, bool countIncludePad) =>
        new(p[0], p[1], p[2], p[3], p[4], p[4], p[5], p[5], p[6], p[6], countIncludePad);

    // Forward over each padded window; backward scatters each window's gradient to its inputs.
    private static (double[] Y, double[] Dx) Reference(PoolKind kind, Pool2dGeometry g, double[] x, double[] dy)
    {
        int oh = g.OutH, ow = g.OutW;
        var y = new double[g.N * g.C * oh * ow];
        var dx = new double[x.Length];
        for (int plane = 0; plane < g.N * g.C; plane++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0, max = double.NegativeInfinity;
                    int inside = 0, argmax = -1;
                    for (int r = 0; r < g.KernelH; r++)
                        for (int s = 0; s < g.KernelW; s++)
                        {
                            int ih = i * g.StrideH - g.PadH + r, iw = j * g.StrideW - g.PadW + s;
                            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                            int at = (plane * g.H + ih) * g.W + iw;
                            inside++;
                            sum += x[at];
                            if (x[at] > max) { max = x[at]; argmax = at; }
                        }
                    int o = (plane * oh + i) * ow + j;
                    double divisor = g.CountIncludePad ? g.KernelH * g.KernelW : inside;
                    y[o] = kind == PoolKind.Average ? sum / divisor : max;
                    if (kind == PoolKind.Max) { dx[argmax] += dy[o]; continue; }
                    for (int r = 0; r < g.KernelH; r++)
                        for (int s = 0; s < g.KernelW; s++)
                        {
                            int ih = i * g.StrideH - g.PadH + r, iw = j * g.StrideW - g.PadW + s;
                            if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) dx[(plane * g.H + ih) * g.W + iw] += dy[o] / divisor;
                        }
                }
        return (y, dx);
    }
}
