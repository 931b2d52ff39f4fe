using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/conv.cu.</summary>
internal static class ConvKernels
{
    private const string M = "conv";

    // conv2d_im2col_T(x, col, images, C, H, W, R, S, OH, OW, sh, sw, ph, pw, imageStride, rowStride)
    public static readonly KernelPair Im2Col = KernelPair.Of(M, "conv2d_im2col", _ => [U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U64, U64]);

    // conv2d_col2im_T(col, dx, images, C, H, W, R, S, OH, OW, sh, sw, ph, pw)
    public static readonly KernelPair Col2Im = KernelPair.Of(M, "conv2d_col2im", _ => [U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32]);
}
