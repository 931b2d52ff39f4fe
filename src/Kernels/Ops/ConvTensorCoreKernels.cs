using RawGan.Engine;
using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>
/// Launch signatures of kernels-cu/conv_tc.cu: the three products per tile variant for float32 storage (TF32 math,
/// suffix _f32) and bfloat16, the operand packing, and the weight gradient's split sum (suffix: its output dtype).
/// </summary>
internal static class ConvTensorCoreKernels
{
    private const string M = "conv_tc";

    // The 13 shape parameters of every product: N, C, H, W, K, R, S, OH, OW, sh, sw, ph, pw.
    private static readonly PtxParam[] Shape = [.. Enumerable.Repeat(U32, 13)];

    // conv2d_tc_forward_<BM>x<BN>_T(x_nhwc, w_packed, y, shape…, outBf16)
    // conv2d_tc_backward_data_<BM>x<BN>_T(dy_nhwc, w_packed, dx, shape…, outBf16)
    // conv2d_tc_backward_weight_<BM>x<BN>_T(x_nhwc, dy_nhwc, partial, shape…, positionsPerSplit)
    public static readonly IReadOnlyList<KernelEntry> Products =
    [
        .. from pass in Enum.GetValues<ConvPass>()
           from tile in TensorCoreTile.All
           from suffix in new[] { "f32", "bf16" }
           select new KernelEntry(M, $"conv2d_tc_{StageName(pass)}_{tile}_{suffix}", [U64, U64, U64, .. Shape, U32]),
    ];

    // conv2d_tc_pack_T(src, dst, d1, d2, d2p, s0, s2, log2T1): dst[i0][i1][i2 < d2p] from src[i0·s0 + i1 + i2·s2]
    public static readonly KernelEntry PackF32 = new(M, "conv2d_tc_pack_f32", U64, U64, U32, U32, U32, U32, U32, U32);
    public static readonly KernelEntry PackBF16 = new(M, "conv2d_tc_pack_bf16", U64, U64, U32, U32, U32, U32, U32, U32);

    // conv2d_tc_weight_sum_splits_T(partial, dw, K, C, RS, Cp, splits): T is dw's dtype
    public static readonly KernelEntry SumSplitsF32 = new(M, "conv2d_tc_weight_sum_splits_f32", U64, U64, U32, U32, U32, U32, U32);
    public static readonly KernelEntry SumSplitsBF16 = new(M, "conv2d_tc_weight_sum_splits_bf16", U64, U64, U32, U32, U32, U32, U32);

    /// <summary>The product kernel of a pass and tile for float32 (TF32) or bfloat16 inputs.</summary>
    public static KernelEntry Product(ConvPass pass, TensorCoreTile tile, DType inputs)
    {
        string name = $"conv2d_tc_{StageName(pass)}_{tile}_{Suffix(inputs)}";
        return Products.First(e => e.Name == name);
    }

    /// <summary>The pack kernel for float32 (rounding to TF32) or bfloat16 operands.</summary>
    public static KernelEntry Pack(DType inputs) => inputs == DType.BFloat16 ? PackBF16 : PackF32;

    /// <summary>The split sum writing a weight gradient of <paramref name="output"/> dtype.</summary>
    public static KernelEntry SumSplits(DType output) => output == DType.BFloat16 ? SumSplitsBF16 : SumSplitsF32;

    private static string StageName(ConvPass pass) => pass switch
    {
        ConvPass.Forward => "forward",
        ConvPass.BackwardData => "backward_data",
        _ => "backward_weight",
    };

    private static string Suffix(DType inputs) => inputs switch
    {
        DType.Float32 => "f32",
        DType.BFloat16 => "bf16",
        _ => throw new ArgumentException($"The tensor-core convolution takes Float32 (TF32) or BFloat16 inputs, not {inputs}."),
    };
}
