using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class ConvGradCheckTests
{
    // (N, C, H, W, K, kernel, stride, padding, bias)
    [TestCase(2, 3, 5, 5, 4, 3, 1, 1, false, TestName = "3x3 pad 1")]
    [TestCase(2, 3, 4, 5, 4, 1, 1, 0, false, TestName = "1x1")]
    [TestCase(2, 2, 7, 6, 3, 3, 2, 1, false, TestName = "3x3 stride 2, odd size")]
    [TestCase(1, 2, 6, 6, 2, 5, 1, 2, false, TestName = "5x5 pad 2, batch 1")]
    [TestCase(1, 1, 5, 7, 1, 3, 1, 0, false, TestName = "3x3 no pad, one channel")]
    [TestCase(2, 3, 5, 4, 3, 3, 1, 1, true, TestName = "3x3 with bias")]
    [TestCase(1, 2, 4, 4, 3, 1, 2, 0, true, TestName = "1x1 stride 2 with bias")]
    public void Conv2d_(int n, int c, int h, int w, int k, int kernel, int stride, int padding, bool withBias)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        var weight = rng.Normal([k, c, kernel, kernel], requiresGrad: true, std: 0.5);
        var bias = rng.Normal([k], requiresGrad: true);
        if (withBias)
            GradientChecker.Check("Conv2d with bias", rng, xs => Conv2d(xs[0], xs[1], xs[2], stride, padding), [x, weight, bias]);
        else
            GradientChecker.Check("Conv2d", rng, xs => Conv2d(xs[0], xs[1], null, stride, padding), [x, weight]);
    }

    // Inception's rectangular kernels with their own padding per axis, and unequal strides.
    [TestCase(2, 2, 6, 7, 3, 1, 7, 1, 1, 0, 3, TestName = "1x7 pad (0, 3)")]
    [TestCase(1, 3, 7, 5, 2, 7, 1, 1, 1, 3, 0, TestName = "7x1 pad (3, 0)")]
    [TestCase(2, 2, 5, 5, 3, 3, 1, 1, 1, 1, 0, TestName = "3x1 pad (1, 0)")]
    [TestCase(1, 2, 7, 8, 2, 3, 3, 2, 1, 0, 1, TestName = "3x3 stride (2, 1) pad (0, 1)")]
    public void Conv2dRectangular(int n, int c, int h, int w, int k, int r, int s, int strideH, int strideW, int padH, int padW)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        var weight = rng.Normal([k, c, r, s], requiresGrad: true, std: 0.5);
        var bias = rng.Normal([k], requiresGrad: true);
        GradientChecker.Check("Conv2d rectangular", rng, xs => Conv2d(xs[0], xs[1], xs[2], (strideH, strideW), (padH, padW)), [x, weight, bias]);
    }

    [Test]
    public void Conv2dWithConstantWeight()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([2, 2, 4, 4], requiresGrad: true);
        var weight = rng.Normal([3, 2, 3, 3]);
        GradientChecker.Check("Conv2d, x only", rng, xs => Conv2d(xs[0], xs[1], null, 1, 1), [x, weight]);
        Assert.That(weight.Grad, Is.Null);
    }
}
