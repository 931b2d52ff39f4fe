using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>Bilinear resize (align_corners=False) against a per-pixel loop written from PyTorch's formula.</summary>
public class ResizeReferenceTests
{
    // N, C, H, W, outH, outW: up, down, mixed, to and from one pixel, and MNIST to Inception's 299.
    private static readonly int[][] Cases =
    [
        [2, 3, 5, 7, 9, 4], [1, 2, 8, 8, 3, 3], [1, 1, 1, 1, 4, 5], [1, 1, 6, 5, 1, 1], [2, 1, 4, 4, 4, 10], [1, 1, 28, 28, 299, 299],
    ];

    private static IEnumerable<TestCaseData> All() =>
        from dtype in new[] { DType.Float32, DType.Float64 } from c in Cases select new TestCaseData(dtype, c);

    [TestCaseSource(nameof(All))]
    public void MatchesPerPixelInterpolation(DType dtype, int[] p)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([p[0], p[1], p[2], p[3]], dtype);
        var y = ResizeBilinear(x, p[4], p[5]);
        Assert.That(y.Shape, Is.EqualTo(new Shape(p[0], p[1], p[4], p[5])));
        Tolerance.AssertClose(y, Reference(x.ToDoubleArray(), p[0] * p[1], p[2], p[3], p[4], p[5]), $"resize {string.Join("x", p)}", rng);
    }

    [Test]
    public void SameSizeIsTheIdentity()
    {
        var x = TestRng.Fresh().Normal([1, 2, 3, 4]);
        Assert.That(ResizeBilinear(x, 3, 4).ToDoubleArray(), Is.EqualTo(x.ToDoubleArray()));
    }

    // PyTorch's upsample_bilinear2d: source index (i + ½)·in/out − ½ clamped at 0, weights on floor and floor + 1.
    private static double[] Reference(double[] x, int planes, int h, int w, int oh, int ow)
    {
        static (int I0, int I1, double L) Source(int i, int inSize, int outSize)
        {
            double src = Math.Max((i + 0.5) * inSize / outSize - 0.5, 0);
            int i0 = (int)Math.Floor(src);
            int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
            return (i0, i1, src - i0);
        }
        var y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    var (h0, h1, lh) = Source(i, h, oh);
                    var (w0, w1, lw) = Source(j, w, ow);
                    double At(int r, int c) => x[(p * h + r) * w + c];
                    y[(p * oh + i) * ow + j] = (1 - lh) * ((1 - lw) * At(h0, w0) + lw * At(h0, w1)) + lh * ((1 - lw) * At(h1, w0) + lw * At(h1, w1));
                }
        return y;
    }
}
