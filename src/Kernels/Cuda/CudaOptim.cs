using RawGan.Engine;
using RawGan.Kernels.Ops;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n,
                           double lr, double beta1, double beta2, double eps, double biasCorrection1, double biasCorrection2)
    {
        double stepSize = lr / biasCorrection1, sqrtBc2 = Math.Sqrt(biasCorrection2);
        Launch(OptimKernels.Adam.For(param.DType), GridFor(n), Block, 0, Ptr(param), Ptr(grad), Ptr(m), Ptr(v), n,
               Scalar(param, stepSize), Scalar(param, beta1), Scalar(param, 1 - beta1), Scalar(param, beta2), Scalar(param, 1 - beta2),
               Scalar(param, eps), Scalar(param, sqrtBc2));
    }
}
