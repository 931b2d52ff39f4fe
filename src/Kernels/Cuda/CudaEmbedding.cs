using RawGan.Engine;
using static RawGan.Kernels.Ops.EmbeddingKernels;

namespace RawGan.Kernels.Cuda;

// Embedding gather and scatter-add: kernels-cu/embedding.cu, one thread per element of y / dweight.
// Unlike the CPU backend, which throws on an index outside [0, rows), the kernels cannot report one: forward
// writes a zero row for it and backward drops its gradient.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows) =>
        Launch(Forward.For(weight.DType), GridFor((long)count * dim), Block, 0, Ptr(weight), Ptr(indices), Ptr(y), (long)count, dim, rows);

    /// <summary>
    /// dweight += scatter of dy by indices: each element of dweight sums the gradients of its row's indices in index
    /// order, as the CPU does, so the result is deterministic (no atomics).
    /// </summary>
    public void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows) =>
        Launch(Backward.For(dy.DType), GridFor((long)rows * dim), Block, 0, Ptr(dy), Ptr(indices), Ptr(dweight), (long)count, dim, rows);
}
