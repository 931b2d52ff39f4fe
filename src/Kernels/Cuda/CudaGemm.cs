using RawGan.Engine;
using RawGan.Engine.Backends;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Row-major GEMM through column-major cuBLAS: a row-major matrix is its transpose in column-major, so
    /// C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, i.e. gemm(B, A) with m and n swapped. Exact FP32 and FP64
    /// through cublasSgemm/Dgemm (the handle's default math mode); TF32 and bfloat16 on tensor cores through
    /// cublasGemmEx with float32 accumulation (the compute type says which, per call).
    /// </summary>
    public unsafe void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
                            Storage a, long aOffset, int lda, long strideA,
                            Storage b, long bOffset, int ldb, long strideB,
                            double beta, Storage c, long cOffset, int ldc, long strideC, int batch, MathMode math)
    {
        ProductDTypes.Check(nameof(Gemm), a, b, c);
        if (m == 0 || n == 0 || batch == 0) return;
        Context.MakeCurrent();
        int opA = transA ? CuBlas.OpT : CuBlas.OpN, opB = transB ? CuBlas.OpT : CuBlas.OpN;
        ulong pa = Ptr(a, aOffset), pb = Ptr(b, bOffset), pc = Ptr(c, cOffset);
        if (a.DType == DType.BFloat16 || (a.DType == DType.Float32 && math == MathMode.Tf32))
        {
            var (inputType, compute) = a.DType == DType.BFloat16 ? (CuBlas.DataR16BF, CuBlas.Compute32F) : (CuBlas.DataR32F, CuBlas.Compute32FFastTf32);
            int outputType = c.DType == DType.BFloat16 ? CuBlas.DataR16BF : CuBlas.DataR32F;
            float al = (float)alpha, be = (float)beta;
            if (batch == 1)
                CuBlas.Check(CuBlas.cublasGemmEx(Context.Blas, opB, opA, n, m, k, &al, pb, inputType, ldb, pa, inputType, lda,
                                                 &be, pc, outputType, ldc, compute, CuBlas.GemmDefault));
            else
                CuBlas.Check(CuBlas.cublasGemmStridedBatchedEx(Context.Blas, opB, opA, n, m, k, &al, pb, inputType, ldb, strideB, pa, inputType, lda, strideA,
                                                               &be, pc, outputType, ldc, strideC, batch, compute, CuBlas.GemmDefault));
        }
        else if (c.DType == DType.Float32)
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
