using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Bench;

/// <summary>
/// The CPU GEMM on the shapes that matter: a square 1024³ product in float32 and float64, and the product
/// inside BigGAN's main 3×3 convolution (128 channels, 32×32, batch 32): W (128 × 1152) times each image's
/// im2col matrix (1152 × 1024), as one strided batch. bench/torch_cpu_baseline.py times the same shapes.
/// MicroKernelFloat32 is the ceiling: the register-tiled kernel alone, on one thread, on packed panels that
/// stay in L1, so the gap between it and the full products is what blocking, packing and threading cost.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class GemmBench
{
    private const int Square = 1024;
    private const int ConvM = 128, ConvN = 32 * 32, ConvK = 128 * 9, ConvBatch = 32;

    private readonly IBackend _cpu = CpuBackend.Instance;
    private Storage _a32 = null!, _b32 = null!, _c32 = null!, _a64 = null!, _b64 = null!, _c64 = null!;
    private Storage _w = null!, _cols = null!, _y = null!;

    // Micro-kernel probe: 16 A micro-panels of depth 256 against one B micro-panel, AVX-512 float32.
    private const int ProbeDepth = 256, ProbePanels = 16;
    private static readonly int ProbeRows = GemmKernel<float, Vector512<float>, Simd512<float>>.MR;
    private static readonly int ProbeCols = GemmKernel<float, Vector512<float>, Simd512<float>>.NR;
    private float[] _probeA = null!, _probeB = null!, _probeC = null!;

    /// <summary>Random operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a32 = Random(DType.Float32, Square * Square, rng);
        _b32 = Random(DType.Float32, Square * Square, rng);
        _c32 = _cpu.Allocate(DType.Float32, Square * Square);
        _a64 = Random(DType.Float64, Square * Square, rng);
        _b64 = Random(DType.Float64, Square * Square, rng);
        _c64 = _cpu.Allocate(DType.Float64, Square * Square);
        _w = Random(DType.Float32, ConvM * ConvK, rng);
        _cols = Random(DType.Float32, (long)ConvBatch * ConvK * ConvN, rng);
        _y = _cpu.Allocate(DType.Float32, (long)ConvBatch * ConvM * ConvN);
        _probeA = GC.AllocateArray<float>(ProbeRows * ProbeDepth * ProbePanels, pinned: true);
        _probeB = GC.AllocateArray<float>(ProbeCols * ProbeDepth, pinned: true);
        _probeC = GC.AllocateArray<float>(ProbeRows * ProbePanels * ProbeCols, pinned: true);
        for (int i = 0; i < _probeA.Length; i++) _probeA[i] = (float)(rng.NextDouble() - 0.5);
        for (int i = 0; i < _probeB.Length; i++) _probeB[i] = (float)(rng.NextDouble() - 0.5);
    }

    /// <summary>C = A·B, 1024³, float32.</summary>
    [Benchmark, Flops(2.0 * Square * Square * Square)]
    public void Gemm1024Float32() =>
        _cpu.Gemm(false, false, Square, Square, Square, 1, _a32, 0, Square, 0, _b32, 0, Square, 0, 0, _c32, 0, Square, 0, 1);

    /// <summary>C = A·B, 1024³, float64.</summary>
    [Benchmark, Flops(2.0 * Square * Square * Square)]
    public void Gemm1024Float64() =>
        _cpu.Gemm(false, false, Square, Square, Square, 1, _a64, 0, Square, 0, _b64, 0, Square, 0, 0, _c64, 0, Square, 0, 1);

    /// <summary>y_n = W·col_n for 32 images: M=128, N=1024, K=1152 each, float32.</summary>
    [Benchmark, Flops(2.0 * ConvBatch * ConvM * ConvN * ConvK)]
    public void ConvShapedGemmFloat32() =>
        _cpu.Gemm(false, false, ConvM, ConvN, ConvK, 1, _w, 0, ConvK, 0, _cols, 0, ConvN, (long)ConvK * ConvN,
                  0, _y, 0, ConvN, (long)ConvM * ConvN, ConvBatch);

    /// <summary>The AVX-512 float32 micro-kernel alone: 16 register tiles of depth 256 from L1, one thread.</summary>
    [Benchmark, Flops(2.0 * 8 * 32 * ProbeDepth * ProbePanels)]
    public unsafe void MicroKernelFloat32()
    {
        if (!Vector512.IsHardwareAccelerated) throw new NotSupportedException("The micro-kernel probe needs AVX-512.");
        fixed (float* a = _probeA, b = _probeB, c = _probeC)
        {
            for (int t = 0; t < ProbePanels; t++)
                GemmKernel<float, Vector512<float>, Simd512<float>>.Tile(
                    ProbeDepth, a + t * ProbeRows * ProbeDepth, b, c + t * ProbeRows * ProbeCols, ProbeCols, 1f, 1f, overwrite: false);
        }
    }

    private Storage Random(DType dtype, long length, Random rng)
    {
        var data = new double[length];
        for (long i = 0; i < length; i++) data[i] = rng.NextDouble() * 2 - 1;
        var s = _cpu.Allocate(dtype, length);
        if (dtype == DType.Float64) _cpu.CopyFromHost<double>(data, s, 0);
        else _cpu.CopyFromHost<float>(Array.ConvertAll(data, v => (float)v), s, 0);
        return s;
    }
}
