using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/batchnorm.cu. T stands for the element type's PTX type.</summary>
internal static class BatchNormKernels
{
    private const string M = "batchnorm";

    // bn_stats_T(x, mean, variance, n, c, spatial): one block per channel
    public static readonly KernelTable Statistics = KernelTable.Of(M, "bn_stats", _ => [U64, U64, U64, U32, U32, U32]);

    // bn_scale_shift_T(mean, variance, gamma, beta, double eps, scale, shift, c)
    public static readonly KernelTable ScaleShift = KernelTable.Of(M, "bn_scale_shift", _ => [U64, U64, U64, U64, F64, U64, U64, U32]);

    // bn_forward_T(x, scale, shift, y, i64 total, c, spatial)
    public static readonly KernelTable Forward = KernelTable.Of(M, "bn_forward", _ => [U64, U64, U64, U64, U64, U32, U32]);

    // bn_backward_T(x, dy, mean, variance, gamma, double eps, batchStatistics, dx, dgamma, dbeta, n, c, spatial): one block per channel
    public static readonly KernelTable Backward = KernelTable.Of(M, "bn_backward", _ => [U64, U64, U64, U64, U64, F64, U32, U64, U64, U64, U32, U32, U32]);

    // cbn_relu_scale_shift_T(mean, variance, gain, bias, double eps, scale, shift, n, c): per plane
    public static readonly KernelTable CbnReluScaleShift = KernelTable.Of(M, "cbn_relu_scale_shift", _ => [U64, U64, U64, U64, F64, U64, U64, U32, U32]);

    // cbn_relu_forward_T(x, scale, shift, y, i64 total, c, spatial)
    public static readonly KernelTable CbnReluForward = KernelTable.Of(M, "cbn_relu_forward", _ => [U64, U64, U64, U64, U64, U32, U32]);

    // cbn_relu_plane_sums_T(x, y, dy, mean, variance, double eps, dgain, dbias, double* sumDz, double* sumDzXhat, c, spatial): one block per plane
    public static readonly KernelTable CbnReluPlaneSums = KernelTable.Of(M, "cbn_relu_plane_sums", _ => [U64, U64, U64, U64, U64, F64, U64, U64, U64, U64, U32, U32]);

    // cbn_relu_dx_coefficients_T(variance, gain, double* sumDz, double* sumDzXhat, double eps, batchStatistics, a, b, q, n, c, spatial): per channel
    public static readonly KernelTable CbnReluDxCoefficients = KernelTable.Of(M, "cbn_relu_dx_coefficients", _ => [U64, U64, U64, U64, F64, U32, U64, U64, U64, U32, U32, U32]);

    // cbn_relu_backward_T(x, y, dy, mean, a, b, q, dx, i64 total, c, spatial)
    public static readonly KernelTable CbnReluBackward = KernelTable.Of(M, "cbn_relu_backward", _ => [U64, U64, U64, U64, U64, U64, U64, U64, U64, U32, U32]);
}
