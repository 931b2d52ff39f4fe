using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/spectralnorm.cu. T stands for the element type's PTX type.</summary>
internal static class SpectralNormKernels
{
    private const string M = "spectralnorm";

    // sn_wtu_T(w, u, partial, rows, cols, colBlocks, rowsPerSlice): 256 threads, colBlocks·slices blocks
    public static readonly KernelTable WtU = KernelTable.Of(M, "sn_wtu", _ => [U64, U64, U64, U32, U32, U32, U32]);

    // sn_v_T(partial, v, cols, slices, T eps): one block
    public static readonly KernelTable NormalizeV = KernelTable.Of(M, "sn_v", t => [U64, U64, U32, U32, t]);

    // sn_wv_T(w, v, wv, rows, cols): one warp per row
    public static readonly KernelTable Wv = KernelTable.Of(M, "sn_wv", _ => [U64, U64, U64, U32, U32]);

    // sn_finalize_T(wv, uOut, sigma, rows, T eps): one block
    public static readonly KernelTable UpdateUAndSigma = KernelTable.Of(M, "sn_finalize", t => [U64, U64, U64, U32, t]);
}
