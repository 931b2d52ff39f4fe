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

    /// <inheritdoc/>
    public void FillNormal(Storage dst, ulong seed, Storage counter, double mean, double std)
    {
        CheckCounter(counter);
        Launch(RandomKernels.NormalAtCounter.For(dst.DType), GridFor(dst.Length), Block, 0, Ptr(dst), dst.Length, seed, Ptr(counter), mean, std);
        Launch(RandomKernels.CounterAdd, 1, 1, 0, Ptr(counter), (ulong)dst.Length);
    }

    /// <inheritdoc/>
    public void FillUniformInt(Storage dst, ulong seed, Storage counter, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        CheckCounter(counter);
        if (dst.DType != DType.Int32) throw new ArgumentException($"Uniform integers fill Int32 storage, got {dst.DType}.", nameof(dst));
        Launch(RandomKernels.UniformIntAtCounter, GridFor(dst.Length), Block, 0, Ptr(dst), dst.Length, seed, Ptr(counter), bound);
        Launch(RandomKernels.CounterAdd, 1, 1, 0, Ptr(counter), (ulong)dst.Length);
    }

    /// <inheritdoc/>
    public void AdvanceCounter(Storage counter, ulong delta)
    {
        CheckCounter(counter);
        Launch(RandomKernels.CounterAdd, 1, 1, 0, Ptr(counter), delta);
    }

    // A DeviceCounter's storage: two Int32 words read by the kernels as one u64 (allocations are 256-byte aligned).
    private static void CheckCounter(Storage counter)
    {
        if (counter.DType != DType.Int32 || counter.Length != 2)
            throw new ArgumentException($"A device counter is two Int32 words, got {counter.Length} {counter.DType}.", nameof(counter));
    }
}
