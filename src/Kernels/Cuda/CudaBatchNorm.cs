using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance) => throw NotYet("batch-norm statistics");

    /// <inheritdoc/>
    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                                 Storage y, int n, int c, int spatial) => throw NotYet("batch-norm");

    /// <inheritdoc/>
    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                                  bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial) => throw NotYet("batch-norm backward");
}
