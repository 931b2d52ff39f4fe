using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

// Not written yet: each method throws a clear NotSupportedException until its kernel lands.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void FillUniform(Storage dst, ulong seed, ulong offset) => throw NotYet("Philox uniform");

    /// <inheritdoc/>
    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std) => throw NotYet("Philox normal");

    /// <inheritdoc/>
    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold) => throw NotYet("Philox truncated normal");
}
