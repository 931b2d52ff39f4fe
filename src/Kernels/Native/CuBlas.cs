using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

/// <summary>
/// [LibraryImport] bindings for cuBLAS (column-major; a row-major C = A·B is gemm(B, A) with m and n swapped).
/// Scalars are passed by host pointer (the default pointer mode).
/// </summary>
internal static partial class CuBlas
{
    private const string Lib = CudaLibraries.CuBlas;

    public const int Success = 0;
    public const int OpN = 0;
    public const int OpT = 1;

    // cublasMath_t: exact FP32 by default; TF32 tensor cores only when asked for.
    public const int DefaultMath = 0;
    public const int Tf32TensorOpMath = 3;

    // cudaDataType and cublasComputeType_t values for cublasGemmEx.
    public const int DataR32F = 0;
    public const int DataR64F = 1;
    public const int DataR16BF = 14;
    public const int Compute32F = 68;
    public const int Compute32FFastTf32 = 77;
    public const int Compute64F = 70;
    public const int GemmDefault = -1;

    [LibraryImport(Lib, EntryPoint = "cublasCreate_v2")] public static partial int cublasCreate(out IntPtr handle);
    [LibraryImport(Lib, EntryPoint = "cublasDestroy_v2")] public static partial int cublasDestroy(IntPtr handle);
    [LibraryImport(Lib, EntryPoint = "cublasSetStream_v2")] public static partial int cublasSetStream(IntPtr handle, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cublasGetVersion_v2")] public static partial int cublasGetVersion(IntPtr handle, out int version);
    [LibraryImport(Lib)] public static partial int cublasSetMathMode(IntPtr handle, int mode);
    [LibraryImport(Lib, EntryPoint = "cublasSetWorkspace_v2")] public static partial int cublasSetWorkspace(IntPtr handle, ulong workspace, nuint bytes);
    [LibraryImport(Lib)] public static partial IntPtr cublasGetStatusString(int status);

    [LibraryImport(Lib, EntryPoint = "cublasSgemm_v2")]
    public static unsafe partial int cublasSgemm(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                 float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Lib, EntryPoint = "cublasDgemm_v2")]
    public static unsafe partial int cublasDgemm(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                 double* alpha, ulong a, int lda, ulong b, int ldb, double* beta, ulong c, int ldc);

    [LibraryImport(Lib)]
    public static unsafe partial int cublasSgemmStridedBatched(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                               float* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB,
                                                               float* beta, ulong c, int ldc, long strideC, int batchCount);

    [LibraryImport(Lib)]
    public static unsafe partial int cublasDgemmStridedBatched(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                               double* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB,
                                                               double* beta, ulong c, int ldc, long strideC, int batchCount);

    [LibraryImport(Lib)]
    public static unsafe partial int cublasGemmEx(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                  void* alpha, ulong a, int aType, int lda, ulong b, int bType, int ldb,
                                                  void* beta, ulong c, int cType, int ldc, int computeType, int algo);

    [LibraryImport(Lib)]
    public static unsafe partial int cublasGemmStridedBatchedEx(IntPtr handle, int transa, int transb, int m, int n, int k,
                                                                void* alpha, ulong a, int aType, int lda, long strideA,
                                                                ulong b, int bType, int ldb, long strideB,
                                                                void* beta, ulong c, int cType, int ldc, long strideC,
                                                                int batchCount, int computeType, int algo);

    /// <summary>Throws a <see cref="CudaException"/> naming the cuBLAS call and status.</summary>
    public static void Check(int status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status == Success) return;
        string text;
        try
        {
            text = Marshal.PtrToStringUTF8(cublasGetStatusString(status)) ?? "unknown status";
        }
        catch (EntryPointNotFoundException)
        {
            text = "unknown status";
        }
        throw new CudaException(CudaDriver.CallName(call), status, text);
    }
}
