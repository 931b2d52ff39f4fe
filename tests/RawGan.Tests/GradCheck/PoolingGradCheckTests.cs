using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class PoolingGradCheckTests
{
    [TestCase(2, 3, 4, 4)]
    [TestCase(1, 2, 5, 7)]
    [TestCase(1, 1, 2, 2)]
    public void AvgPool2d_(int n, int c, int h, int w)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("AvgPool2d", rng, xs => AvgPool2d(xs[0]), [x]);
    }

    [TestCase(2, 3, 4, 4)]
    [TestCase(1, 2, 5, 7)]
    [TestCase(1, 1, 2, 2)]
    public void MaxPool2d_WithDistinctValues(int n, int c, int h, int w)
    {
        var rng = TestRng.Fresh();
        // Values 0.05 apart: a step of 1e-6 never changes which element is each window's maximum.
        var x = rng.Distinct([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("MaxPool2d", rng, xs => MaxPool2d(xs[0]), [x]);
    }

    // N, C, H, W, kernel, stride, padding: Inception's windows, odd sizes, batch 1.
    [TestCase(2, 2, 5, 6, 3, 1, 1, false)]
    [TestCase(1, 3, 7, 7, 3, 2, 0, true)]
    [TestCase(2, 1, 6, 5, 3, 2, 1, true)]
    [TestCase(1, 2, 8, 7, 4, 3, 2, false)]
    public void AvgPool2dGeneral(int n, int c, int h, int w, int kernel, int stride, int padding, bool countIncludePad)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("AvgPool2d general", rng, xs => AvgPool2d(xs[0], kernel, stride, padding, countIncludePad), [x]);
    }

    [TestCase(2, 2, 5, 6, 3, 1, 1)]
    [TestCase(1, 3, 7, 7, 3, 2, 0)]
    [TestCase(2, 1, 6, 5, 3, 2, 1)]
    public void MaxPool2dGeneralWithDistinctValues(int n, int c, int h, int w, int kernel, int stride, int padding)
    {
        var rng = TestRng.Fresh();
        var x = rng.Distinct([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("MaxPool2d general", rng, xs => MaxPool2d(xs[0], kernel, stride, padding), [x]);
    }

    [TestCase(2, 3, 4, 4)]
    [TestCase(1, 2, 3, 5)]
    public void Upsample2x_(int n, int c, int h, int w)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("Upsample2x", rng, xs => Upsample2x(xs[0]), [x]);
    }
}
