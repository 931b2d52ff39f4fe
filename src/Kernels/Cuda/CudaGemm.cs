using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Row-major GEMM through column-major cuBLAS: a row-major matrix is its transpose in column-major, so
    /// C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. gemm(B, A) with m and n swapped. Exact FP32
    /// (the handle's default math mode): TF32 is opt-in.
    /// </summary>
    public unsafe void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
                            Storage a, long aOffset, int lda, long strideA,
                            Storage b, long bOffset, int ldb, long strideB,
                            double beta, Storage c, long cOffset, int ldc, long strideC, int batch)
    {
        if (m == 0 || n == 0 || batch == 0) return;
        Context.MakeCurrent();
        int opA = transA ? CuBlas.OpT : CuBlas.OpN, opB = transB ? CuBlas.OpT : CuBlas.OpN;
        ulong pa = Ptr(a, aOffset), pb = Ptr(b, bOffset), pc = Ptr(c, cOffset);
        if (c.DType == DType.Float32)
        {
            float al = (float)alpha, be = (float)beta;
            if (batch == 1) CuBlas.Check(CuBlas.cublasSgemm(Context.Blas, opB, opA, n, m, k, &al, pb, ldb, pa, lda, &be, pc, ldc));
            else CuBlas.Check(CuBlas.cublasSgemmStridedBatched(Context.Blas, opB, opA, n, m, k, &al, pb, ldb, strideB, pa, lda, strideA, &be, pc, ldc, strideC, batch));
        }
        else
        {
            double al = alpha, be = beta;
            if (batch == 1) CuBlas.Check(CuBlas.cublasDgemm(Context.Blas, opB, opA, n, m, k, &al, pb, ldb, pa, lda, &be, pc, ldc));
            else CuBlas.Check(CuBlas.cublasDgemmStridedBatched(Context.Blas, opB, opA, n, m, k, &al, pb, ldb, strideB, pa, lda, strideA, &be, pc, ldc, strideC, batch));
        }
    }
}
