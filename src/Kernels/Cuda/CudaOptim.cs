using RawGan.Engine;
using RawGan.Kernels.Ops;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void AdamStepScalars(Storage step, Storage scalars, double lr, double beta1, double beta2)
    {
        CheckCounter(step);
        if (scalars.DType != DType.Float64 || scalars.Length < 2)
            throw new ArgumentException($"Adam's step scalars are two Float64 values, got {scalars.Length} {scalars.DType}.", nameof(scalars));
        Launch(OptimKernels.StepScalars, 1, 1, 0, Ptr(step), Ptr(scalars), lr, beta1, beta2);
    }

    /// <inheritdoc/>
    public void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, double beta1, double beta2, double eps, Storage scalars) =>
        Launch(OptimKernels.Adam.For(param.DType), GridFor(n), Block, 0, Ptr(param), Ptr(grad), Ptr(m), Ptr(v), n, Ptr(scalars),
               Scalar(param, beta1), Scalar(param, 1 - beta1), Scalar(param, beta2), Scalar(param, 1 - beta2), Scalar(param, eps));
}
