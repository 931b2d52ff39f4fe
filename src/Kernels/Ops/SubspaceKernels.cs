using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>
/// Launch signatures of kernels-cu/subspace.cu. The products are instantiated for the weights' type (f32, f64);
/// the blocks and the state are always float64.
/// </summary>
internal static class SubspaceKernels
{
    private const string M = "subspace";

    // subspace_product_T(table, count, tasks, x, y, state): y = W x, 256 threads, 8 rows a task
    public static readonly KernelTable Product = KernelTable.Of(M, "subspace_product", _ => [U64, U32, U64, U64, U64, U64]);

    // subspace_product_t_T(table, count, tasks, x, y, state): y = Wᵀ x, 256 threads, 32 columns a task
    public static readonly KernelTable ProductTransposed = KernelTable.Of(M, "subspace_product_t", _ => [U64, U32, U64, U64, U64, U64]);

    // subspace_orthonormalize_f64(table, count, x, state, columnSide, seed): one block per matrix
    public static readonly KernelEntry Orthonormalize = new(M, "subspace_orthonormalize_f64", U64, U32, U64, U64, U32, U64);

    // subspace_ritz_f64(table, count, q, z, u, v, state, iteration, settle): one block per matrix
    public static readonly KernelEntry RayleighRitz = new(M, "subspace_ritz_f64", U64, U32, U64, U64, U64, U64, U64, U32, F64);

    // subspace_residual_f64(table, count, y, u, state, iteration, tolerance): one block per matrix
    public static readonly KernelEntry Residual = new(M, "subspace_residual_f64", U64, U32, U64, U64, U64, U32, F64);
}
