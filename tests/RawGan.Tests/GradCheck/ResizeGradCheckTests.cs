using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class ResizeGradCheckTests
{
    [TestCase(2, 2, 4, 5, 7, 3)]
    [TestCase(1, 1, 6, 6, 2, 9)]
    [TestCase(1, 3, 3, 2, 3, 5)]
    public void ResizeBilinear_(int n, int c, int h, int w, int outH, int outW)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([n, c, h, w], requiresGrad: true);
        GradientChecker.Check("ResizeBilinear", rng, xs => ResizeBilinear(xs[0], outH, outW), [x]);
    }
}
