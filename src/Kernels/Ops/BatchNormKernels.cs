using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>
/// Launch signatures of kernels-cu/batchnorm.cu. T stands for the element type's PTX type; the segment sums and the
/// dx coefficients are in the accumulation type (float32 for float32 and bfloat16, float64 for float64), passed as
/// pointers; so are the statistics, gamma, beta, gain, bias and their gradients (float32 beside bfloat16 activations).
/// </summary>
internal static class BatchNormKernels
{
    private const string M = "batchnorm";

    // bn_stats_segments_T(x, segMean, segM2, planes, spatial, segment): lane groups over plane segments
    public static readonly KernelTable StatsSegments = KernelTable.Of(M, "bn_stats_segments", _ => [U64, U64, U64, U32, U32, U32], bf16: true);

    // bn_stats_combine_T(segMean, segM2, mean, variance, n, c, spatial, segment): a warp per channel
    public static readonly KernelTable StatsCombine = KernelTable.Of(M, "bn_stats_combine", _ => [U64, U64, U64, U64, U32, U32, U32, U32], bf16: true);

    // bn_forward_T(x, mean, variance, gamma, beta, double eps, y, planes, c, spatial)
    public static readonly KernelTable Forward = KernelTable.Of(M, "bn_forward", _ => [U64, U64, U64, U64, U64, F64, U64, U32, U32, U32], bf16: true);

    // bn_backward_segments_T(x, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment)
    public static readonly KernelTable BackwardSegments = KernelTable.Of(M, "bn_backward_segments", _ => [U64, U64, U64, U64, U64, U32, U32, U32, U32], bf16: true);

    // bn_backward_combine_T(variance, gamma, sumDz, sumDzXc, double eps, batchStatistics, dgamma, dbeta, a, b, q, n, c, spatial, segment)
    public static readonly KernelTable BackwardCombine = KernelTable.Of(M, "bn_backward_combine",
        _ => [U64, U64, U64, U64, F64, U32, U64, U64, U64, U64, U64, U32, U32, U32, U32], bf16: true);

    // bn_backward_apply_T(x, dy, mean, a, b, q, dx, planes, c, spatial)
    public static readonly KernelTable BackwardApply = KernelTable.Of(M, "bn_backward_apply", _ => [U64, U64, U64, U64, U64, U64, U64, U32, U32, U32], bf16: true);

    // cbn_relu_forward_T(x, mean, variance, gain, bias, double eps, y, planes, c, spatial)
    public static readonly KernelTable CbnReluForward = KernelTable.Of(M, "cbn_relu_forward", _ => [U64, U64, U64, U64, U64, F64, U64, U32, U32, U32], bf16: true);

    // cbn_relu_backward_segments_T(x, y, dy, mean, sumDz, sumDzXc, planes, c, spatial, segment)
    public static readonly KernelTable CbnReluBackwardSegments = KernelTable.Of(M, "cbn_relu_backward_segments",
        _ => [U64, U64, U64, U64, U64, U64, U32, U32, U32, U32], bf16: true);

    // cbn_relu_backward_combine_T(variance, gain, sumDz, sumDzXc, double eps, batchStatistics, dgain, dbias, a, b, q, n, c, spatial, segment)
    public static readonly KernelTable CbnReluBackwardCombine = KernelTable.Of(M, "cbn_relu_backward_combine",
        _ => [U64, U64, U64, U64, F64, U32, U64, U64, U64, U64, U64, U32, U32, U32, U32], bf16: true);

    // cbn_relu_backward_apply_T(x, y, dy, mean, a, b, q, dx, planes, c, spatial)
    public static readonly KernelTable CbnReluBackwardApply = KernelTable.Of(M, "cbn_relu_backward_apply",
        _ => [U64, U64, U64, U64, U64, U64, U64, U64, U32, U32, U32], bf16: true);
}
