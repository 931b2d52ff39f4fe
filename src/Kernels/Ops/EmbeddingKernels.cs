using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/embedding.cu.</summary>
internal static class EmbeddingKernels
{
    private const string M = "embedding";

    // embedding_fwd_T(weight, indices, y, count, dim, rows); embedding_bwd_T(dy, indices, dweight, count, dim, rows)
    public static readonly KernelTable Forward = KernelTable.Of(M, "embedding_fwd", _ => [U64, U64, U64, U64, U32, U32]);
    public static readonly KernelTable Backward = KernelTable.Of(M, "embedding_bwd", _ => [U64, U64, U64, U64, U32, U32]);
}
