using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class ElementwiseCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    [Test]
    public void BinaryOpsWithBroadcastingMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype,
                                                    [Values(BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div)] BinaryOp op)
    {
        var rng = Seeded(out _);
        Shape[][] cases = [[[4, 8, 5, 5], [4, 8, 5, 5]], [[4, 8, 5, 5], [1, 8, 1, 1]], [[4, 8, 5, 5], [4, 1, 1, 1]], [[3, 1024], [1024]], [[7], []],
                           [[4, 8, 16, 16], [4, 8, 1, 1]], [[1, 8, 1, 1], [4, 8, 16, 16]], [[4, 8, 16, 16], [4, 8, 16, 16]], [[5, 12], [1, 12]]];
        foreach (var c in cases)
        {
            var (a, ga) = Pair(c[0], dtype, rng);
            var (b, gb) = Pair(c[1], dtype, rng, offset: op == BinaryOp.Div ? 3 : 0);
            Func<Tensor, Tensor, Tensor> f = op switch
            {
                BinaryOp.Add => Ops.Add,
                BinaryOp.Sub => Ops.Sub,
                BinaryOp.Mul => Ops.Mul,
                _ => Ops.Div,
            };
            AssertClose(f(ga, gb), f(a, b), $"{op} {c[0]} with {c[1]}");
        }
    }

    [Test]
    public void UnaryOpsAndTheirGradientsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        Func<Tensor, Tensor>[] ops = [Ops.Relu, Ops.Tanh, Ops.Exp, x => Ops.Log(Ops.AddScalar(x, 2)), x => Ops.Affine(x, 3, -1)];
        foreach (var f in ops)
        {
            var (x, gx) = Pair([1000], dtype, rng);
            x.RequiresGrad = gx.RequiresGrad = true;
            var y = f(x);
            var gy = f(gx);
            AssertClose(gy, y, "forward");
            Ops.Sum(Ops.Mul(y, y)).Backward();
            Ops.Sum(Ops.Mul(gy, gy)).Backward();
            AssertClose(gx.Grad!, x.Grad!, "gradient");
        }
    }

    [Test]
    public void PermuteNarrowAndCatMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        var (x, gx) = Pair([2, 3, 4, 5], dtype, rng);
        AssertClose(Ops.Permute(gx, 0, 2, 3, 1), Ops.Permute(x, 0, 2, 3, 1), "permute");
        AssertClose(Ops.Narrow(gx, 2, 1, 2), Ops.Narrow(x, 2, 1, 2), "narrow");
        AssertClose(Ops.Cat([gx, gx], 1), Ops.Cat([x, x], 1), "cat");
        AssertClose(Ops.ToDType(gx, DType.Int32), Ops.ToDType(Ops.MulScalar(x, 1), DType.Int32), "cast to int");
    }

    // (shape, source strides, destination strides, source offset, destination offset), in elements: a contiguous run
    // (the driver's copy), at an odd offset; a block of channels written into a wider tensor (Cat, Narrow's backward);
    // a broadcast (N,C,1,1) expanded over the pixels; a transpose; an odd inner size; a narrowed source at an odd offset
    // (the single-element path on a shape that would take 16-byte packs).
    private static readonly (int[] Shape, long[] Src, long[] Dst, long SrcOffset, long DstOffset)[] Copies =
    [
        ([1000], [1], [1], 0, 0),
        ([999], [1], [1], 1, 3),
        ([2, 3, 4, 8], [96, 32, 8, 1], [192, 32, 8, 1], 0, 96),
        ([4, 6, 5, 8], [6, 1, 0, 0], [240, 40, 8, 1], 0, 0),
        ([8, 5], [1, 8], [5, 1], 0, 0),
        ([3, 4, 7], [28, 7, 1], [28, 7, 1], 0, 0),
        ([4, 16], [20, 1], [16, 1], 1, 0),
    ];

    [Test]
    public void StridedCopiesOfEveryLayoutMatchTheCpu([Values(DType.Float32, DType.Float64, DType.Int32)] DType dtype, [Range(0, 6)] int which)
    {
        var rng = Seeded(out _);
        var (shape, src, dst, srcOffset, dstOffset) = Copies[which];
        long srcLength = srcOffset + 1 + shape.Select((d, i) => (d - 1) * src[i]).Sum();
        long dstLength = dstOffset + 1 + shape.Select((d, i) => (d - 1) * dst[i]).Sum();
        var (source, gSource) = Pair([(int)srcLength], DType.Float64, rng);
        (source, gSource) = (Ops.ToDType(Ops.MulScalar(source, 100), dtype), Ops.ToDType(Ops.MulScalar(gSource, 100), dtype));
        var destination = Tensor.Full([(int)dstLength], -7, dtype);
        var gDestination = Tensor.Full([(int)dstLength], -7, dtype, Gpu);
        destination.Backend.StridedCopy(source.Storage, srcOffset, src, destination.Storage, dstOffset, dst, shape);
        gDestination.Backend.StridedCopy(gSource.Storage, srcOffset, src, gDestination.Storage, dstOffset, dst, shape);
        Assert.That(gDestination.ToDoubleArray(), Is.EqualTo(destination.ToDoubleArray()), "every element, written or not");
    }

    [Test]
    public void BinaryInPlaceMatchesTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        // A convolution's bias added into its output in place, as Ops.Conv2d does.
        var (x, gx) = Pair([4, 8, 16, 16], dtype, rng);
        var (bias, gbias) = Pair([8], dtype, rng);
        int[] shape = [4, 8, 16, 16];
        long[] strides = [2048, 256, 16, 1], broadcast = [0, 1, 0, 0];
        x.Backend.Binary(BinaryOp.Add, x.Storage, strides, bias.Storage, broadcast, x.Storage, shape);
        gx.Backend.Binary(BinaryOp.Add, gx.Storage, strides, gbias.Storage, broadcast, gx.Storage, shape);
        AssertClose(gx, x, "in-place bias");
    }

    [Test]
    public void GemmWithEveryTransposeMatchesTheCpu([ValueSource(nameof(DTypes))] DType dtype,
                                                   [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        var rng = Seeded(out _);
        int m = 37, n = 53, k = 129;
        var (a, ga) = Pair(transA ? [k, m] : [m, k], dtype, rng);
        var (b, gb) = Pair(transB ? [n, k] : [k, n], dtype, rng);
        AssertClose(Ops.MatMul(ga, gb, transA, transB), Ops.MatMul(a, b, transA, transB), "matmul");
        var (p, gp) = Pair([3, 17, 9], dtype, rng);
        var (q, gq) = Pair([3, 9, 11], dtype, rng);
        AssertClose(Ops.BatchedMatMul(gp, gq), Ops.BatchedMatMul(p, q), "batched matmul");
    }
}
