using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Ops;

/// <summary>2x2 pooling and nearest upsampling against nested-loop references, float32 and float64.</summary>
public class PoolingReferenceTests
{
    private static readonly int[][] Shapes = [[2, 3, 4, 4], [1, 2, 5, 7], [1, 1, 2, 2], [3, 1, 6, 3]];

    [Test]
    public void AvgAndMaxPool([Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3], oh = h / 2, ow = w / 2;
        var avg = new double[planes * oh * ow];
        var max = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double s = 0, m = double.NegativeInfinity;
            for (int di = 0; di < 2; di++)
            for (int dj = 0; dj < 2; dj++)
            {
                double v = xv[(p * h + 2 * i + di) * w + 2 * j + dj];
                s += v;
                m = Math.Max(m, v);
            }
            avg[(p * oh + i) * ow + j] = s / 4;
            max[(p * oh + i) * ow + j] = m;
        }
        var ya = AvgPool2d(x);
        var ym = MaxPool2d(x);
        Assert.That(ya.Shape.ToArray(), Is.EqualTo(new[] { shape[0], shape[1], oh, ow }), "odd trailing rows and columns are dropped");
        Tolerance.AssertClose(ya, avg, "AvgPool2d", rng);
        Tolerance.AssertClose(ym, max, "MaxPool2d", rng);
    }

    [Test]
    public void MaxPoolRoutesTheGradientToTheFirstMaximumOfATie()
    {
        // Window [[1, 3], [3, 0]]: the maximum 3 appears twice; row-major order picks (0, 1).
        var x = TestRng.Make([1, 3, 3, 0, 5, 5, 5, 5], [1, 2, 2, 2], requiresGrad: true);
        var y = MaxPool2d(x);
        y.Backward(TestRng.Make([7, 11], [1, 2, 1, 1]));
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 0, 7, 0, 0, 11, 0, 0, 0 }));
    }

    [Test]
    public void PoolBackwardLeavesDroppedRowsAndColumnsAtZero([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        var rng = TestRng.Fresh();
        var x = rng.Distinct([1, 1, 3, 3], dtype: dtype, requiresGrad: true);
        AvgPool2d(x).Backward(TestRng.Make([8], [1, 1, 1, 1], dtype));
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 2, 2, 0, 2, 2, 0, 0, 0, 0 }));
    }

    [Test]
    public void Upsample2x_([Values(DType.Float32, DType.Float64)] DType dtype, [ValueSource(nameof(Shapes))] int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, dtype);
        var xv = x.ToDoubleArray();
        int planes = shape[0] * shape[1], h = shape[2], w = shape[3];
        var expected = new double[planes * 4 * h * w];
        for (int p = 0; p < planes; p++)
        for (int i = 0; i < 2 * h; i++)
        for (int j = 0; j < 2 * w; j++) expected[(p * 2 * h + i) * 2 * w + j] = xv[(p * h + i / 2) * w + j / 2];
        var y = Upsample2x(x);
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { shape[0], shape[1], 2 * h, 2 * w }));
        Tolerance.AssertClose(y, expected, "Upsample2x", rng);
    }
}
