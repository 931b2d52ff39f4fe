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
        Shape[][] cases = [[[4, 8, 5, 5], [4, 8, 5, 5]], [[4, 8, 5, 5], [1, 8, 1, 1]], [[4, 8, 5, 5], [4, 1, 1, 1]], [[3, 1024], [1024]], [[7], []]];
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
