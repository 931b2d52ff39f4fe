using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

public class ReductionCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // (x shape, axes): every kernel path of ReduceSum on a device with ~100 SMs: one warp per output (short
    // sums), one block per output with and without split chunks, columns (innermost axis kept) with and
    // without split chunks, alternating kept and reduced axes, odd sizes and batch 1.
    private static readonly (Shape Shape, int[] Axes)[] Reductions =
    [
        ([7], [0]),
        ([3, 1000], [1]),
        ([5, 3000], [1]),
        ([200_003], [0]),
        ([8, 16, 33, 33], [0, 2, 3]),
        ([32, 8, 64, 64], [0, 2, 3]),
        ([1, 5, 3, 3], [2, 3]),
        ([1, 5, 3, 3], [1, 2, 3]),
        ([4, 5, 6], [0]),
        ([70_000, 3], [0]),
        ([2, 3, 4, 5], [1, 3]),
        ([2, 3, 4, 5], [0, 2]),
        ([3, 1, 4], [1]),
    ];

    [Test]
    public void SumAndMeanOverAnyAxesMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var (shape, axes) in Reductions)
        {
            // Values in [0, 2): sums are well away from zero, so the relative error measures the kernel, not cancellation.
            var (x, gx) = Pair(shape, dtype, rng, offset: 1);
            string what = $"{shape} over ({string.Join(", ", axes)})";
            AssertClose(Ops.Sum(gx, axes), Ops.Sum(x, axes), "sum " + what);
            AssertClose(Ops.Mean(gx, axes, keepDim: true), Ops.Mean(x, axes, keepDim: true), "mean " + what);
        }
    }

    [Test]
    public void ReductionsAreDeterministic([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var (shape, axes) in Reductions)
        {
            var (_, gx) = Pair(shape, dtype, rng);
            var first = Ops.Sum(gx, axes).ToDoubleArray();
            var second = Ops.Sum(gx, axes).ToDoubleArray();
            Assert.That(second, Is.EqualTo(first), $"{shape}");
        }
    }

    // (x shape, bias shape): the backward of broadcasting sums the gradient back to the bias.
    private static readonly (Shape X, Shape Bias)[] Broadcasts =
    [
        ([4, 16, 9, 9], [1, 16, 1, 1]),
        ([1, 3, 5, 5], [1, 3, 1, 1]),
        ([4, 16, 9, 9], [4, 16, 1, 1]),
        ([64, 300], [300]),
        ([1, 7], [7]),
        ([5, 40], [5, 1]),
        ([6, 5, 4], [1]),
    ];

    [Test]
    public void BroadcastGradientsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var (xs, bs) in Broadcasts)
        {
            var (x, gx) = Pair(xs, dtype, rng);
            var (b, gb) = Pair(bs, dtype, rng);
            var (r, gr) = Pair(xs, dtype, rng, offset: 1);
            b.RequiresGrad = gb.RequiresGrad = true;
            Ops.Sum(Ops.Mul(Ops.Add(x, b), r)).Backward();
            Ops.Sum(Ops.Mul(Ops.Add(gx, gb), gr)).Backward();
            AssertClose(gb.Grad!, b.Grad!, $"bias gradient {xs} + {bs}");
        }
    }

    private static readonly Shape[] SoftmaxShapes = [[1, 1], [3, 7], [5, 256], [2, 1024], [3, 1025], [2, 3000], [4, 2, 33], [1, 256, 1024]];

    [Test]
    public void SoftmaxAndItsGradientMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var shape in SoftmaxShapes)
        {
            var (x0, gx0) = Pair(shape, dtype, rng);
            // Scores spread over [-8, 8], so the row maximum matters.
            var x = Ops.MulScalar(x0, 8).Detach().RequireGrad();
            var gx = Ops.MulScalar(gx0, 8).Detach().RequireGrad();
            var (r, gr) = Pair(shape, dtype, rng);
            var y = Ops.Softmax(x);
            var gy = Ops.Softmax(gx);
            AssertClose(gy, y, $"softmax {shape}");
            Ops.Sum(Ops.Mul(y, r)).Backward();
            Ops.Sum(Ops.Mul(gy, gr)).Backward();
            AssertClose(gx.Grad!, x.Grad!, $"softmax gradient {shape}");
        }
    }
}
