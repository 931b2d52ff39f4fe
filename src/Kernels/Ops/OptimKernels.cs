using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/optim.cu.</summary>
internal static class OptimKernels
{
    // adam_T(p, g, m, v, i64 n, T step_size, T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, T eps, T sqrt_bc2)
    public static readonly KernelTable Adam = KernelTable.Of("optim", "adam", t => [U64, U64, U64, U64, U64, t, t, t, t, t, t, t]);
}
