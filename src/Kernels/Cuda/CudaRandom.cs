using RawGan.Engine;
using RawGan.Engine.Rng;
using RawGan.Kernels.Ops;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void FillUniform(Storage dst, ulong seed, ulong offset) =>
        Launch(RandomKernels.Uniform.For(dst.DType), GridFor(dst.Length), Block, 0, Ptr(dst), dst.Length, seed, offset);

    /// <inheritdoc/>
    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std) =>
        Launch(RandomKernels.Normal.For(dst.DType), GridFor(dst.Length), Block, 0, Ptr(dst), dst.Length, seed, offset, mean, std);

    /// <inheritdoc/>
    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold)
    {
        PhiloxSampler.CheckThreshold(threshold);
        Launch(RandomKernels.TruncatedNormal.For(dst.DType), GridFor(dst.Length), Block, 0, Ptr(dst), dst.Length, seed, offset, threshold);
    }
}
