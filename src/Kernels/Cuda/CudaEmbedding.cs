using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows) => throw NotYet("embedding");

    /// <inheritdoc/>
    public void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows) => throw NotYet("embedding backward");
}
