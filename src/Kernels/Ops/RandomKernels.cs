using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/random.cu (Philox4x32-10, bit-identical to the CPU backend).</summary>
internal static class RandomKernels
{
    private const string M = "random";

    // random_uniform_T(T* y, i64 n, u64 seed, u64 offset)
    public static readonly KernelTable Uniform = KernelTable.Of(M, "random_uniform", _ => [U64, U64, U64, U64]);

    // random_normal_T(T* y, i64 n, u64 seed, u64 offset, double mean, double std)
    public static readonly KernelTable Normal = KernelTable.Of(M, "random_normal", _ => [U64, U64, U64, U64, F64, F64]);

    // random_truncated_normal_T(T* y, i64 n, u64 seed, u64 offset, double threshold)
    public static readonly KernelTable TruncatedNormal = KernelTable.Of(M, "random_truncated_normal", _ => [U64, U64, U64, U64, F64]);
}
