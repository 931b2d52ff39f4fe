using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/softmax.cu.</summary>
internal static class SoftmaxKernels
{
    private const string M = "softmax";

    // softmax_fwd_{warp,block}_T(x, y, rows, cols)
    public static readonly KernelTable ForwardWarp = KernelTable.Of(M, "softmax_fwd_warp", _ => [U64, U64, U32, U32]);
    public static readonly KernelTable ForwardBlock = KernelTable.Of(M, "softmax_fwd_block", _ => [U64, U64, U32, U32]);

    // softmax_bwd_{warp,block}_T(y, dy, dx, rows, cols)
    public static readonly KernelTable BackwardWarp = KernelTable.Of(M, "softmax_bwd_warp", _ => [U64, U64, U64, U32, U32]);
    public static readonly KernelTable BackwardBlock = KernelTable.Of(M, "softmax_bwd_block", _ => [U64, U64, U64, U32, U32]);
}
