using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/optim.cu.</summary>
internal static class OptimKernels
{
    // adam_step_scalars_f64(u64* step, double* scalars, double lr, double beta1, double beta2)
    public static readonly KernelEntry StepScalars = new("optim", "adam_step_scalars_f64", U64, U64, F64, F64, F64);

    // adam_T(p, g, m, v, i64 n, const double* scalars, T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, T eps)
    public static readonly KernelTable Adam = KernelTable.Of("optim", "adam", t => [U64, U64, U64, U64, U64, U64, t, t, t, t, t]);
}
