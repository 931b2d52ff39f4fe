using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/pooling.cu.</summary>
internal static class PoolingKernels
{
    private const string M = "pooling";

    // pool_fwd_T(kind, x, y, planes, h, w); pool_bwd_T(kind, x, dy, dx, planes, h, w)
    public static readonly KernelPair PoolForward = KernelPair.Of(M, "pool_fwd", _ => [U32, U64, U64, U64, U32, U32]);
    public static readonly KernelPair PoolBackward = KernelPair.Of(M, "pool_bwd", _ => [U32, U64, U64, U64, U64, U32, U32]);

    // pool2d_fwd_T(kind, x, y, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad);
    // pool2d_bwd_T(kind, x, dy, dx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, countIncludePad)
    public static readonly KernelPair Pool2dForward = KernelPair.Of(M, "pool2d_fwd", _ => [U32, U64, U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32]);
    public static readonly KernelPair Pool2dBackward = KernelPair.Of(M, "pool2d_bwd", _ => [U32, U64, U64, U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32]);

    // upsample_fwd_T(x, y, planes, h, w); upsample_bwd_T(dy, dx, planes, h, w)
    public static readonly KernelPair UpsampleForward = KernelPair.Of(M, "upsample_fwd", _ => [U64, U64, U64, U32, U32]);
    public static readonly KernelPair UpsampleBackward = KernelPair.Of(M, "upsample_bwd", _ => [U64, U64, U64, U32, U32]);
}
