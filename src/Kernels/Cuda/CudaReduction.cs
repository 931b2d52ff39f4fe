using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale) => throw NotYet("reduce_sum");

    /// <inheritdoc/>
    public void SoftmaxForward(Storage x, Storage y, int rows, int cols) => throw NotYet("softmax");

    /// <inheritdoc/>
    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols) => throw NotYet("softmax backward");
}
