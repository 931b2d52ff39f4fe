using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut, Storage sigma, double eps) =>
        throw NotYet("spectral-norm power iteration");
}
