using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// op(a)·op(b) for matrices, op = transpose where asked: (m,k)·(k,n) → (m,n). Under <see cref="Precision.Bf16"/>
    /// (<see cref="Autocast"/>) Float32 operands are read in BFloat16 and the product is BFloat16, as for the ops below.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        CheckRank(nameof(MatMul), "a", a, 2);
        CheckRank(nameof(MatMul), "b", b, 2);
        return Product(nameof(MatMul), Autocast.ProductInput(a), Autocast.ProductInput(b), transA, transB);
    }

    /// <summary>Batched op(a)·op(b): (B,m,k)·(B,k,n) → (B,m,n), as attention needs.</summary>
    public static Tensor BatchedMatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        CheckRank(nameof(BatchedMatMul), "a", a, 3);
        CheckRank(nameof(BatchedMatMul), "b", b, 3);
        if (a.Shape[0] != b.Shape[0])
            throw new ArgumentException($"BatchedMatMul: batch sizes differ ({a.Shape} and {b.Shape}).");
        return Product(nameof(BatchedMatMul), Autocast.ProductInput(a), Autocast.ProductInput(b), transA, transB);
    }

    /// <summary>x·wᵀ + b: x (N, in), w (out, in), b (out) or null.</summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? b = null)
    {
        var y = MatMul(x, w, transB: true);
        return b is null ? y : Add(y, Autocast.ProductInput(b));
    }

    private static Tensor Product(string name, Tensor a, Tensor b, bool transA, bool transB) =>
        Product(name, a, b, transA, transB, Autocast.ProductMath);

    // math is the forward's, captured so that the backward's products run as the forward's did.
    private static Tensor Product(string name, Tensor a, Tensor b, bool transA, bool transB, MathMode math)
    {
        CheckSame(name, a, b);
        bool batched = a.Rank == 3;
        int batch = batched ? a.Shape[0] : 1;
        int ar = a.Shape[^2], ac = a.Shape[^1], br = b.Shape[^2], bc = b.Shape[^1];
        int m = transA ? ac : ar, k = transA ? ar : ac;
        int kb = transB ? bc : br, n = transB ? br : bc;
        if (k != kb)
            throw new ArgumentException($"{name}: inner dimensions differ: {(transA ? "aᵀ" : "a")} {a.Shape} and {(transB ? "bᵀ" : "b")} {b.Shape}.");
        using var _ = Profiler.Scope(name, cost: OpCost.Gemm(a.DType, batch, m, n, k), shape: a.Shape, other: b.Shape);
        var y = Empty(a, batched ? new Shape(batch, m, n) : new Shape(m, n));
        a.Backend.Gemm(transA, transB, m, n, k, 1.0,
            a.Storage, 0, ac, (long)ar * ac,
            b.Storage, 0, bc, (long)br * bc,
            0.0, y.Storage, 0, n, (long)m * n, batch, math);
        // With C = op(A)·op(B):  dA = dC·op(B)ᵀ (or op(B)·dCᵀ when A is transposed),
        //                        dB = op(A)ᵀ·dC (or dCᵀ·op(A) when B is transposed).
        return Tape.Record(name, y, [a, b], dc =>
        [
            a.RequiresGrad ? (transA ? Product(name, b, dc, transB, true, math) : Product(name, dc, b, false, !transB, math)) : null,
            b.RequiresGrad ? (transB ? Product(name, dc, a, true, transA, math) : Product(name, a, dc, !transA, false, math)) : null,
        ]);
    }
}
