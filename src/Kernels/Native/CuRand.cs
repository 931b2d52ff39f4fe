using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

/// <summary>[LibraryImport] bindings for cuRAND's host API (a baseline for our own Philox kernels).</summary>
internal static partial class CuRand
{
    private const string Lib = CudaLibraries.CuRand;

    public const int Success = 0;
    public const int RngPhilox4x32x10 = 161;

    [LibraryImport(Lib)] public static partial int curandCreateGenerator(out IntPtr generator, int rngType);
    [LibraryImport(Lib)] public static partial int curandDestroyGenerator(IntPtr generator);
    [LibraryImport(Lib)] public static partial int curandSetPseudoRandomGeneratorSeed(IntPtr generator, ulong seed);
    [LibraryImport(Lib)] public static partial int curandSetGeneratorOffset(IntPtr generator, ulong offset);
    [LibraryImport(Lib)] public static partial int curandSetStream(IntPtr generator, IntPtr stream);
    [LibraryImport(Lib)] public static partial int curandGenerateUniform(IntPtr generator, ulong output, nuint n);
    [LibraryImport(Lib)] public static partial int curandGenerateNormal(IntPtr generator, ulong output, nuint n, float mean, float stddev);
    [LibraryImport(Lib)] public static partial int curandGenerateNormalDouble(IntPtr generator, ulong output, nuint n, double mean, double stddev);

    /// <summary>Throws a <see cref="CudaException"/> naming the cuRAND call and status.</summary>
    public static void Check(int status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != Success) throw new CudaException(CudaDriver.CallName(call), status, Describe(status));
    }

    private static string Describe(int status) => status switch
    {
        101 => "CURAND_STATUS_NOT_INITIALIZED",
        102 => "CURAND_STATUS_ALLOCATION_FAILED",
        103 => "CURAND_STATUS_TYPE_ERROR",
        104 => "CURAND_STATUS_OUT_OF_RANGE",
        105 => "CURAND_STATUS_LENGTH_NOT_MULTIPLE (normal generation needs an even count)",
        106 => "CURAND_STATUS_DOUBLE_PRECISION_REQUIRED",
        201 => "CURAND_STATUS_LAUNCH_FAILURE",
        202 => "CURAND_STATUS_PREEXISTING_FAILURE",
        203 => "CURAND_STATUS_INITIALIZATION_FAILED",
        204 => "CURAND_STATUS_ARCH_MISMATCH",
        999 => "CURAND_STATUS_INTERNAL_ERROR",
        _ => "unknown status",
    };
}
