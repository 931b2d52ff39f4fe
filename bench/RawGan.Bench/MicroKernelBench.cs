using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Bench;

/// <summary>
/// The CPU GEMM's ceiling: the AVX-512 float32 register-tiled kernel alone, on one thread, on packed panels that stay
/// in L1 (16 A micro-panels of depth 256 against one B micro-panel). The gap between it and GemmBench's full
/// products is what blocking, packing and threading cost. Runs only when the CPU is among the benchmarked devices.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class MicroKernelBench
{
    private const int ProbeDepth = 256, ProbePanels = 16;
    private static readonly int ProbeRows = GemmKernel<float, Vector512<float>, Simd512<float>>.MR;
    private static readonly int ProbeCols = GemmKernel<float, Vector512<float>, Simd512<float>>.NR;
    private float[] _probeA = null!, _probeB = null!, _probeC = null!;

    /// <summary>"cpu" when the CPU is benchmarked (nothing otherwise).</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu";

    /// <summary>The CPU alone.</summary>
    public static IEnumerable<string> Cases() => BenchCases.Devices.Where(d => d == "cpu");

    /// <summary>Random panels.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _probeA = GC.AllocateArray<float>(ProbeRows * ProbeDepth * ProbePanels, pinned: true);
        _probeB = GC.AllocateArray<float>(ProbeCols * ProbeDepth, pinned: true);
        _probeC = GC.AllocateArray<float>(ProbeRows * ProbePanels * ProbeCols, pinned: true);
        for (int i = 0; i < _probeA.Length; i++) _probeA[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < _probeB.Length; i++) _probeB[i] = (float)(rng.NextDouble() - 0.5);
    }

    /// <summary>16 register tiles of depth 256 from L1, one thread.</summary>
    [Benchmark, Flops(2.0 * 8 * 32 * ProbeDepth * ProbePanels)]
    public unsafe void MicroKernelFloat32()
    {
        if (!Vector512.IsHardwareAccelerated) throw new NotSupportedException("The micro-kernel probe needs AVX-512.");
        fixed (float* a = _probeA, b = _probeB, c = _probeC)
        {
            for (int t = 0; t < ProbePanels; t++)
                GemmKernel<float, Vector512<float>, Simd512<float>>.Tile(
                    ProbeDepth, a + t * ProbeRows * ProbeDepth, new PackedPanel<float>(b, Vector512<float>.Count), c + t * ProbeRows * ProbeCols, ProbeCols,
                    1f, 1f, overwrite: false);
        }
    }
}
