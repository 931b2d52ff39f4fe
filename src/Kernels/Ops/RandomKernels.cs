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

    // random_normal_counter_T(T* y, i64 n, u64 seed, const u64* counter, double mean, double std)
    public static readonly KernelTable NormalAtCounter = KernelTable.Of(M, "random_normal_counter", _ => [U64, U64, U64, U64, F64, F64]);

    // random_uniform_int_counter_i32(int* y, i64 n, u64 seed, const u64* counter, int bound)
    public static readonly KernelEntry UniformIntAtCounter = new(M, "random_uniform_int_counter_i32", U64, U64, U64, U64, U32);

    // counter_add_u64(u64* counter, u64 delta)
    public static readonly KernelEntry CounterAdd = new(M, "counter_add_u64", U64, U64);
}
