using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/batchnorm.cu. T stands for the element type's PTX type.</summary>
internal static class BatchNormKernels
{
    private const string M = "batchnorm";

    // bn_stats_T(x, mean, variance, n, c, spatial): one block per channel
    public static readonly KernelPair Statistics = KernelPair.Of(M, "bn_stats", _ => [U64, U64, U64, U32, U32, U32]);

    // bn_scale_shift_T(mean, variance, gamma, beta, double eps, scale, shift, c)
    public static readonly KernelPair ScaleShift = KernelPair.Of(M, "bn_scale_shift", _ => [U64, U64, U64, U64, F64, U64, U64, U32]);

    // bn_forward_T(x, scale, shift, y, i64 total, c, spatial)
    public static readonly KernelPair Forward = KernelPair.Of(M, "bn_forward", _ => [U64, U64, U64, U64, U64, U32, U32]);

    // bn_backward_T(x, dy, mean, variance, gamma, double eps, batchStatistics, dx, dgamma, dbeta, n, c, spatial): one block per channel
    public static readonly KernelPair Backward = KernelPair.Of(M, "bn_backward", _ => [U64, U64, U64, U64, U64, F64, U32, U64, U64, U64, U32, U32, U32]);
}
