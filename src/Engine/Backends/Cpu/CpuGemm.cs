using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
                     Storage a, long aOffset, int lda, long strideA,
                     Storage b, long bOffset, int ldb, long strideB,
                     double beta, Storage c, long cOffset, int ldc, long strideC, int batch)
    {
        if (IsFloat(c))
            Gemm(transA, transB, m, n, k, (float)alpha, Data<float>(a), aOffset, lda, strideA, Data<float>(b), bOffset, ldb, strideB, (float)beta, Data<float>(c), cOffset, ldc, strideC, batch);
        else
            Gemm(transA, transB, m, n, k, alpha, Data<double>(a), aOffset, lda, strideA, Data<double>(b), bOffset, ldb, strideB, beta, Data<double>(c), cOffset, ldc, strideC, batch);
    }

    // Straightforward reference product; replaced by the blocked kernel.
    internal static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
                                 T[] a, long aOffset, int lda, long strideA,
                                 T[] b, long bOffset, int ldb, long strideB,
                                 T beta, T[] c, long cOffset, int ldc, long strideC, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ParallelRanges((long)batch * m, 1, (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                long bi = r / m;
                int i = (int)(r % m);
                long ao = aOffset + bi * strideA, bo = bOffset + bi * strideB, co = cOffset + bi * strideC + (long)i * ldc;
                for (int j = 0; j < n; j++)
                {
                    T s = T.Zero;
                    for (int p = 0; p < k; p++)
                    {
                        T av = transA ? a[ao + (long)p * lda + i] : a[ao + (long)i * lda + p];
                        T bv = transB ? b[bo + (long)j * ldb + p] : b[bo + (long)p * ldb + j];
                        s += av * bv;
                    }
                    c[co + j] = alpha * s + (beta == T.Zero ? T.Zero : beta * c[co + j]);
                }
            }
        });
    }
}
