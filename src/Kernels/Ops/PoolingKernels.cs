using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/pooling.cu.</summary>
internal static class PoolingKernels
{
    private const string M = "pooling";

    // pool_fwd_T(kind, x, y, planes, h, w); pool_bwd_T(kind, x, dy, dx, planes, h, w) (these and upsample also for bf16)
    public static readonly KernelTable PoolForward = KernelTable.Of(M, "pool_fwd", _ => [U32, U64, U64, U64, U32, U32], bf16: true);
    public static readonly KernelTable PoolBackward = KernelTable.Of(M, "pool_bwd", _ => [U32, U64, U64, U64, U64, U32, U32], bf16: true);

    // pool2d_fwd_T(kind, x, y, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad);
    // pool2d_bwd_T(kind, x, dy, dx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad)
    public static readonly KernelTable Pool2dForward = KernelTable.Of(M, "pool2d_fwd", _ => [U32, U64, U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32]);
    public static readonly KernelTable Pool2dBackward = KernelTable.Of(M, "pool2d_bwd", _ => [U32, U64, U64, U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32]);

    // upsample_fwd_T(x, y, planes, h, w); upsample_bwd_T(dy, dx, planes, h, w)
    public static readonly KernelTable UpsampleForward = KernelTable.Of(M, "upsample_fwd", _ => [U64, U64, U64, U32, U32], bf16: true);
    public static readonly KernelTable UpsampleBackward = KernelTable.Of(M, "upsample_bwd", _ => [U64, U64, U64, U32, U32], bf16: true);
}
