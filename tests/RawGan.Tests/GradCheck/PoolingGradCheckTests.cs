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

    [TestCase(2, 3, 4, 4)]
    [TestCase(1, 2, 3, 5)]
    public void Upsample2x_(int n, int c, int h, int w)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("Upsample2x", rng, xs => Upsample2x(xs[0]), [x]);
    }
}
