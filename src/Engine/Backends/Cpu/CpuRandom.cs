using System.Numerics;
using RawGan.Engine.Rng;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    // Elements per parallel chunk: one element costs a Philox block plus, for normals, a log and a sin/cos (~100 ns).
    private const long RandomGrain = 1 << 12;

    public void FillUniform(Storage dst, ulong seed, ulong offset)
    {
        if (IsFloat(dst)) FillUniform(Data<float>(dst), seed, offset);
        else FillUniform(Data<double>(dst), seed, offset);
    }

    private static void FillUniform<T>(T[] y, ulong seed, ulong offset) where T : IFloatingPointIeee754<T> =>
        ParallelRanges(y.LongLength, RandomGrain, (s, e) =>
        {
            for (long i = s; i < e; i++) y[i] = PhiloxSampler.UniformAs<T>(PhiloxSampler.Uniform(seed, offset + (ulong)i));
        });

    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std)
    {
        if (IsFloat(dst)) FillNormal(Data<float>(dst), seed, offset, mean, std);
        else FillNormal(Data<double>(dst), seed, offset, mean, std);
    }

    // mean + std·z with one rounding (an explicit FMA, as the CUDA kernel must do), then rounded to T.
    private static void FillNormal<T>(T[] y, ulong seed, ulong offset, double mean, double std) where T : IFloatingPointIeee754<T> =>
        ParallelRanges(y.LongLength, RandomGrain, (s, e) =>
        {
            for (long i = s; i < e; i++)
                y[i] = T.CreateTruncating(Math.FusedMultiplyAdd(std, PhiloxSampler.Normal(seed, offset + (ulong)i), mean));
        });

    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold)
    {
        PhiloxSampler.CheckThreshold(threshold);
        if (IsFloat(dst)) FillTruncatedNormal(Data<float>(dst), seed, offset, threshold);
        else FillTruncatedNormal(Data<double>(dst), seed, offset, threshold);
    }

    private static void FillTruncatedNormal<T>(T[] y, ulong seed, ulong offset, double threshold) where T : IFloatingPointIeee754<T> =>
        ParallelRanges(y.LongLength, RandomGrain, (s, e) =>
        {
            for (long i = s; i < e; i++)
                y[i] = T.CreateTruncating(PhiloxSampler.TruncatedNormal(seed, offset + (ulong)i, threshold));
        });

    public void FillNormal(Storage dst, ulong seed, Storage counter, double mean, double std)
    {
        FillNormal(dst, seed, ReadCounter(counter), mean, std);
        AddToCounter(counter, (ulong)dst.Length);
    }

    public void FillUniformInt(Storage dst, ulong seed, Storage counter, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        var y = Data<int>(dst);
        ulong offset = ReadCounter(counter);
        // (int)(u·bound) with u the float64 uniform: u ≤ 1 − 2^-53, so (1 − 2^-53)·bound rounds below bound and no value reaches it.
        ParallelRanges(y.LongLength, RandomGrain, (s, e) =>
        {
            for (long i = s; i < e; i++) y[i] = (int)(PhiloxSampler.Uniform(seed, offset + (ulong)i) * bound);
        });
        AddToCounter(counter, (ulong)dst.Length);
    }

    public void AdvanceCounter(Storage counter, ulong delta) => AddToCounter(counter, delta);

    /// <summary>The value of a <see cref="DeviceCounter"/>'s words (low, high).</summary>
    internal static ulong ReadCounter(Storage counter)
    {
        var words = Data<int>(counter);
        return (uint)words[0] | ((ulong)(uint)words[1] << 32);
    }

    /// <summary>Adds <paramref name="delta"/> to a <see cref="DeviceCounter"/>'s words (mod 2^64); returns the new value.</summary>
    internal static ulong AddToCounter(Storage counter, ulong delta)
    {
        ulong value = unchecked(ReadCounter(counter) + delta);
        var words = Data<int>(counter);
        words[0] = (int)(uint)value;
        words[1] = (int)(uint)(value >> 32);
        return value;
    }
}
