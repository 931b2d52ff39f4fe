using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    // Below this many multiply-adds a product is not worth splitting across threads (attention's small bmm's).
    private const long SmallProductMacs = 128L * 128 * 128;

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
                     Storage a, long aOffset, int lda, long strideA,
                     Storage b, long bOffset, int ldb, long strideB,
                     double beta, Storage c, long cOffset, int ldc, long strideC, int batch, MathMode math)
    {
        ProductDTypes.Check(nameof(Gemm), a, b, c);
        if (IsReducedPrecision(a, math))
            ReducedPrecisionGemm(transA, transB, m, n, k, alpha, a, aOffset, lda, strideA, b, bOffset, ldb, strideB, beta, c, cOffset, ldc, strideC, batch, math);
        else if (IsFloat(c))
            Gemm(transA, transB, m, n, k, (float)alpha, Data<float>(a), aOffset, lda, strideA, Data<float>(b), bOffset, ldb, strideB, (float)beta, Data<float>(c), cOffset, ldc, strideC, batch);
        else
            Gemm(transA, transB, m, n, k, alpha, Data<double>(a), aOffset, lda, strideA, Data<double>(b), bOffset, ldb, strideB, beta, Data<double>(c), cOffset, ldc, strideC, batch);
    }

    /// <summary>Strided-batched C_b = alpha·op(A_b)·op(B_b) + beta·C_b on arrays (row-major, see <see cref="IBackend.Gemm"/>).</summary>
    internal static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
                                 T[] a, long aOffset, int lda, long strideA,
                                 T[] b, long bOffset, int ldb, long strideB,
                                 T beta, T[] c, long cOffset, int ldc, long strideC, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (m == 0 || n == 0 || batch == 0) return;
        // The kernels use raw pointers: prove every element they may touch lies inside its array.
        CheckOperand("C", c.Length, cOffset, m, n, ldc, strideC, batch);
        if (k > 0)
        {
            CheckOperand("A", a.Length, aOffset, transA ? k : m, transA ? m : k, lda, strideA, batch);
            CheckOperand("B", b.Length, bOffset, transB ? n : k, transB ? k : n, ldb, strideB, batch);
        }
        ShareOut(batch, (long)m * n * k, One);

        void One(int i, bool parallel) => GemmPacked(m, n, k, alpha,
            new DenseSource<T>(a, aOffset + i * strideA, transA ? 1 : lda, transA ? lda : 1),
            new DenseSource<T>(b, bOffset + i * strideB, transB ? ldb : 1, transB ? 1 : ldb),
            beta, c, cOffset + i * strideC, ldc, parallel);
    }

    /// <summary>
    /// One product C (m×n, row stride ldc) = alpha·A·B + beta·C (+ rowBias[i] on row i, when given) with A and B
    /// read through panel sources, on the widest SIMD the machine accelerates. Conv kernels call this with im2col
    /// sources.
    /// </summary>
    internal static void GemmPacked<T, TA, TB>(int m, int n, int k, T alpha, TA a, TB b, T beta,
                                              T[] c, long cOffset, int ldc, bool parallel, T[]? rowBias = null, T[]? packedA = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TA : struct, IGemmPanelSource<T>
        where TB : struct, IGemmPanelSource<T>
    {
        if (Vector512.IsHardwareAccelerated)
            GemmDriver<T, Vector512<T>, Simd512<T>>.Run(m, n, k, alpha, a, b, beta, c, cOffset, ldc, parallel, rowBias, packedA);
        else if (Vector256.IsHardwareAccelerated)
            GemmDriver<T, Vector256<T>, Simd256<T>>.Run(m, n, k, alpha, a, b, beta, c, cOffset, ldc, parallel, rowBias, packedA);
        else
            GemmDriver<T, Vector128<T>, Simd128<T>>.Run(m, n, k, alpha, a, b, beta, c, cOffset, ldc, parallel, rowBias, packedA);
    }

    /// <summary>Values per SIMD vector of the GEMM on this machine (B panels are two vectors wide).</summary>
    internal static int GemmLanes<T>() where T : unmanaged =>
        Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256.IsHardwareAccelerated ? Vector256<T>.Count : Vector128<T>.Count;

    /// <summary>
    /// A (m × k, m ≤ 1536) packed once for <see cref="GemmPacked"/>'s packedA, in a rented buffer (return it to
    /// ArrayPool&lt;T&gt;.Shared): for a series of products that share A.
    /// </summary>
    internal static T[] GemmPackA<T, TA>(int m, int k, TA a)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TA : struct, IGemmPanelSource<T>
    {
        T[] packed;
        if (Vector512.IsHardwareAccelerated)
        {
            packed = ArrayPool<T>.Shared.Rent(checked((int)GemmDriver<T, Vector512<T>, Simd512<T>>.PackedASize(m, k)));
            GemmDriver<T, Vector512<T>, Simd512<T>>.PackA(m, k, a, packed);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            packed = ArrayPool<T>.Shared.Rent(checked((int)GemmDriver<T, Vector256<T>, Simd256<T>>.PackedASize(m, k)));
            GemmDriver<T, Vector256<T>, Simd256<T>>.PackA(m, k, a, packed);
        }
        else
        {
            packed = ArrayPool<T>.Shared.Rent(checked((int)GemmDriver<T, Vector128<T>, Simd128<T>>.PackedASize(m, k)));
            GemmDriver<T, Vector128<T>, Simd128<T>>.PackA(m, k, a, packed);
        }
        return packed;
    }

    /// <summary>
    /// Runs body(item, threadsInside) for every item of a batch. One item per thread needs no synchronisation, so
    /// it wins when the items share out evenly or are many, or too small to split; otherwise (batch 1, say) the
    /// items run one after another with the threads splitting each.
    /// </summary>
    internal static void ShareOut(int count, long macsPerItem, Action<int, bool> body)
    {
        int workers = Environment.ProcessorCount;
        bool perItem = workers > 1 && count > 1
                       && (count % workers == 0 || count >= 4 * workers || macsPerItem < SmallProductMacs);
        if (perItem) Parallel.For(0, count, i => body(i, false));
        else for (int i = 0; i < count; i++) body(i, true);
    }

    private static void CheckOperand(string name, long length, long offset, int rows, int cols, int ld, long stride, int batch)
    {
        if (offset < 0 || stride < 0 || ld < cols || (rows > 1 && ld < 1))
            throw new ArgumentException($"Gemm: operand {name} has offset {offset}, leading dimension {ld} and batch stride {stride} for a {rows}×{cols} matrix.");
        long last = offset + (batch - 1) * stride + (long)(rows - 1) * ld + cols - 1;
        if (last >= length)
            throw new ArgumentException($"Gemm: operand {name} ({rows}×{cols}, ld {ld}, stride {stride}, offset {offset}, batch {batch}) reaches element {last} of a buffer of {length}.");
    }
}
