using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Contract methods whose kernels are not written yet: each throws a clear NotSupportedException. Each moves to
// its op family's file (CudaReduction, CudaConv, CudaBatchNorm, ...) when its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale) => throw NotYet("reduce_sum");

    /// <inheritdoc/>
    public void SoftmaxForward(Storage x, Storage y, int rows, int cols) => throw NotYet("softmax");

    /// <inheritdoc/>
    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols) => throw NotYet("softmax backward");

    /// <inheritdoc/>
    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g) => throw NotYet("conv2d");

    /// <inheritdoc/>
    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g) => throw NotYet("conv2d backward-data");

    /// <inheritdoc/>
    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g) => throw NotYet("conv2d backward-weight");

    /// <inheritdoc/>
    public void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w) => throw NotYet("pooling");

    /// <inheritdoc/>
    public void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w) => throw NotYet("pooling backward");

    /// <inheritdoc/>
    public void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w) => throw NotYet("upsample");

    /// <inheritdoc/>
    public void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w) => throw NotYet("upsample backward");

    /// <inheritdoc/>
    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance) => throw NotYet("batch-norm statistics");

    /// <inheritdoc/>
    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                                 Storage y, int n, int c, int spatial) => throw NotYet("batch-norm");

    /// <inheritdoc/>
    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                                  bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial) => throw NotYet("batch-norm backward");

    /// <inheritdoc/>
    public void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows) => throw NotYet("embedding");

    /// <inheritdoc/>
    public void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows) => throw NotYet("embedding backward");

    /// <inheritdoc/>
    public void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut, Storage sigma, double eps) =>
        throw NotYet("spectral-norm power iteration");

    /// <inheritdoc/>
    public void FillUniform(Storage dst, ulong seed, ulong offset) => throw NotYet("Philox uniform");

    /// <inheritdoc/>
    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std) => throw NotYet("Philox normal");

    /// <inheritdoc/>
    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold) => throw NotYet("Philox truncated normal");
}
