using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/reduction.cu. T stands for the element type's PTX type.</summary>
internal static class ReductionKernels
{
    private const string M = "reduction";

    // reduce_{warp,block,cols}_T(x, y, outputs, k1, k2, k3, ks0..ks3, count, r1, r2, r3, rs0..rs3, splits, chunk, scale); for bf16, y and scale are float32
    private static PtxParam[] ReduceParams(PtxParam t) => [U64, U64, U64, U32, U32, U32, U64, U64, U64, U64, U64, U32, U32, U32, U64, U64, U64, U64, U32, U64, t];

    /// <summary>One warp per output.</summary>
    public static readonly KernelTable ReduceWarp = KernelTable.Of(M, "reduce_warp", ReduceParams, bf16: true);

    /// <summary>One block per output.</summary>
    public static readonly KernelTable ReduceBlock = KernelTable.Of(M, "reduce_block", ReduceParams, bf16: true);

    /// <summary>32 neighbouring outputs per block (x's innermost dimension kept); the block's warps split the sum.</summary>
    public static readonly KernelTable ReduceCols = KernelTable.Of(M, "reduce_cols", ReduceParams, bf16: true);
}
