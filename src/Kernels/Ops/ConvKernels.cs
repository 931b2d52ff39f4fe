using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/conv.cu and kernels-cu/conv_igemm.cu.</summary>
internal static class ConvKernels
{
    private const string M = "conv";

    // conv2d_im2col_T(x, col, images, C, H, W, R, S, OH, OW, sh, sw, ph, pw, imageStride, rowStride)
    public static readonly KernelTable Im2Col = KernelTable.Of(M, "conv2d_im2col", _ => [U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U64, U64], bf16: true);

    // conv2d_col2im_T(col, dx, images, C, H, W, R, S, OH, OW, sh, sw, ph, pw); the bf16 one reads a float32 col
    public static readonly KernelTable Col2Im = KernelTable.Of(M, "conv2d_col2im", _ => [U64, U64, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32, U32], bf16: true);

    private const string Igemm = "conv_igemm";

    // The 13 shape parameters every implicit-GEMM kernel takes: N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw.
    private static readonly PtxParam[] Shape = [.. Enumerable.Repeat(U32, 13)];

    // conv2d_igemm_forward_T(x, w, y, shape…): one block per 64x64 tile of y (K × N·OH·OW)
    public static readonly KernelTable ImplicitForward = KernelTable.Of(Igemm, "conv2d_igemm_forward", _ => [U64, U64, U64, .. Shape]);

    // conv2d_igemm_backward_data_T(dy, w, dx, shape…): one block per 64x64 tile of dx (C × N·H·W)
    public static readonly KernelTable ImplicitBackwardData = KernelTable.Of(Igemm, "conv2d_igemm_backward_data", _ => [U64, U64, U64, .. Shape]);

    // conv2d_igemm_backward_weight_T(x, dy, partial, shape…, kPerSplit): one block per 64x64 tile of dw (K × C·R·S) and split
    public static readonly KernelTable ImplicitBackwardWeight = KernelTable.Of(Igemm, "conv2d_igemm_backward_weight", _ => [U64, U64, U64, .. Shape, U32]);

    // conv2d_igemm_sum_splits_T(partial, dw, count, splits)
    public static readonly KernelTable SumSplits = KernelTable.Of(Igemm, "conv2d_igemm_sum_splits", _ => [U64, U64, U32, U32]);
}
