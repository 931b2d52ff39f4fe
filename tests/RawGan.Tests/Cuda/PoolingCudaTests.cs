using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

public class PoolingCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Odd heights and widths (their trailing row and column get no gradient), batch 1, sizes off the block size.
    private static readonly Shape[] Shapes = [[1, 1, 2, 2], [2, 3, 5, 7], [1, 4, 16, 16], [3, 2, 9, 2], [2, 5, 33, 31]];

    // The kernels use the CPU's formulas in the CPU's order: results are identical, not just close.
    private const double Exact = 0;

    private static Func<Tensor, Tensor> Pool(PoolKind kind) => kind == PoolKind.Average ? Ops.AvgPool2d : Ops.MaxPool2d;

    /// <summary>Forward and gradient of <paramref name="f"/> on both devices, through a random linear loss.</summary>
    private static void AssertForwardAndGradient(Func<Tensor, Tensor> f, Tensor x, Tensor gx, Random rng, string what)
    {
        x.RequiresGrad = gx.RequiresGrad = true;
        var y = f(x);
        var gy = f(gx);
        AssertClose(gy, y, what + " forward", Exact);
        var (r, gr) = Pair(y.Shape, x.DType, rng);
        Ops.Sum(Ops.Mul(y, r)).Backward();
        Ops.Sum(Ops.Mul(gy, gr)).Backward();
        AssertClose(gx.Grad!, x.Grad!, what + " gradient", Exact);
    }

    [Test]
    public void PoolingMatchesTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values] PoolKind kind)
    {
        var rng = Seeded(out _);
        foreach (var shape in Shapes)
        {
            var (x, gx) = Pair(shape, dtype, rng);
            AssertForwardAndGradient(Pool(kind), x, gx, rng, $"{kind} pool {shape}");
        }
    }

    [Test]
    public void MaxPoolingRoutesTiesToTheFirstMaximum([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var shape in Shapes)
        {
            // Values from {0, 1, 2}: most windows hold a tie for their maximum.
            var data = new double[shape.Numel];
            for (int i = 0; i < data.Length; i++) data[i] = rng.Next(3);
            var x = Tensor.FromArray(data, shape).ToDType(dtype);
            AssertForwardAndGradient(Ops.MaxPool2d, x, x.To(Gpu), rng, $"max pool with ties {shape}");
        }
    }

    // Inception's windows (3×3 stride 1 pad 1, 3×3 stride 2), a 5×5 window, and sizes off the block size.
    private static readonly (Shape Shape, int Kernel, int Stride, int Padding)[] Windows =
    [
        ([2, 3, 7, 6], 3, 1, 1), ([1, 4, 35, 35], 3, 2, 0), ([2, 2, 17, 17], 3, 1, 1), ([1, 3, 9, 11], 5, 2, 2),
        ([3, 2, 8, 8], 3, 1, 0), ([1, 1, 1, 1], 1, 1, 0),
    ];

    [Test]
    public void GeneralPoolingMatchesTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values] PoolKind kind, [Values] bool countIncludePad)
    {
        var rng = Seeded(out _);
        foreach (var (shape, kernel, stride, padding) in Windows)
        {
            var (x, gx) = Pair(shape, dtype, rng);
            Func<Tensor, Tensor> pool = kind == PoolKind.Average
                ? t => Ops.AvgPool2d(t, kernel, stride, padding, countIncludePad)
                : t => Ops.MaxPool2d(t, kernel, stride, padding);
            AssertForwardAndGradient(pool, x, gx, rng, $"{kind} pool {kernel}x{kernel}/{stride} pad {padding} {shape}");
        }
    }

    [Test]
    public void GeneralMaxPoolingRoutesTiesToTheFirstMaximum([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var (shape, kernel, stride, padding) in Windows)
        {
            var data = new double[shape.Numel];
            for (int i = 0; i < data.Length; i++) data[i] = rng.Next(3);
            var x = Tensor.FromArray(data, shape).ToDType(dtype);
            AssertForwardAndGradient(t => Ops.MaxPool2d(t, kernel, stride, padding), x, x.To(Gpu), rng, $"max pool with ties {shape}");
        }
    }

    [Test]
    public void UpsamplingMatchesTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        foreach (var shape in (Shape[])[[1, 1, 1, 1], [2, 3, 5, 7], [1, 4, 16, 16], [3, 2, 9, 33]])
        {
            var (x, gx) = Pair(shape, dtype, rng);
            AssertForwardAndGradient(Ops.Upsample2x, x, gx, rng, $"upsample {shape}");
        }
    }
}
