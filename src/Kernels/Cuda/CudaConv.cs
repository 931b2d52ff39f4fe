using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g) => throw NotYet("conv2d");

    /// <inheritdoc/>
    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g) => throw NotYet("conv2d backward-data");

    /// <inheritdoc/>
    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g) => throw NotYet("conv2d backward-weight");
}
