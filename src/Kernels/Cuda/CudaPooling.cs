using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w) => throw NotYet("pooling");

    /// <inheritdoc/>
    public void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w) => throw NotYet("pooling backward");

    /// <inheritdoc/>
    public void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w) => throw NotYet("upsample");

    /// <inheritdoc/>
    public void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w) => throw NotYet("upsample backward");
}
