using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// <see cref="InProcessShortConfig"/> for GPU benchmarks: without a CUDA device their cases are filtered out, so
/// a CPU-only run reports nothing for them instead of failing (the probe's reason is printed once).
/// </summary>
public sealed class CudaBenchConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public CudaBenchConfig()
    {
        Add(new InProcessShortConfig());
        AddFilter(new SimpleFilter(_ => HasDevice.Value));
    }

    private static readonly Lazy<bool> HasDevice = new(() =>
    {
        var availability = CudaProbe.Availability;
        if (!availability.IsAvailable) Console.WriteLine($"GPU benchmarks skipped: {availability.Message}");
        return availability.IsAvailable;
    });
}
