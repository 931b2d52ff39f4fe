using BenchmarkDotNet.Attributes;
using RawGan.Engine;

namespace RawGan.Bench;

/// <summary>
/// GEMM on the shapes that matter: a square 1024³ product in float32 and float64, and the product inside BigGAN-32's
/// main 3×3 convolution (128 channels, 32×32, batch 32): W (128 × 1152) times each image's im2col matrix
/// (1152 × 1024), as one strided batch. CPU: ours. CUDA: cuBLAS in exact FP32 ("cuda/fp32") and with TF32 tensor
/// cores ("cuda/tf32": <see cref="MathMode.Tf32"/>, which the float32 products get). bench/torch_baseline.py times the
/// same shapes.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class GemmBench
{
    private const int Square = 1024;
    private const int ConvM = 128, ConvN = 32 * 32, ConvK = 128 * 9, ConvBatch = 32;

    private Device _device = null!;
    private IBackend _backend = null!;
    private Storage _a32 = null!, _b32 = null!, _c32 = null!, _a64 = null!, _b64 = null!, _c64 = null!;
    private Storage _w = null!, _cols = null!, _y = null!;
    private MathMode _math;

    /// <summary>Device and, on CUDA, the cuBLAS math mode.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu";

    /// <summary>cpu, cuda/fp32, cuda/tf32.</summary>
    public static IEnumerable<string> Cases() =>
        BenchCases.Devices.SelectMany(d => d == "cpu" ? ["cpu"] : new[] { "cuda/fp32", "cuda/tf32" });

    /// <summary>Random operands and the math mode of the case.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        _math = BenchCases.VariantOf(Case) == "tf32" ? MathMode.Tf32 : MathMode.Exact;
        _a32 = BenchData.Uniform(_backend, Square * Square, 1);
        _b32 = BenchData.Uniform(_backend, Square * Square, 2);
        _c32 = _backend.Allocate(DType.Float32, Square * Square);
        _a64 = BenchData.Uniform(_backend, Square * Square, 3, DType.Float64);
        _b64 = BenchData.Uniform(_backend, Square * Square, 4, DType.Float64);
        _c64 = _backend.Allocate(DType.Float64, Square * Square);
        _w = BenchData.Uniform(_backend, ConvM * ConvK, 5);
        _cols = BenchData.Uniform(_backend, (long)ConvBatch * ConvK * ConvN, 6);
        _y = _backend.Allocate(DType.Float32, (long)ConvBatch * ConvM * ConvN);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        BenchData.Free(_a32, _b32, _c32, _a64, _b64, _c64, _w, _cols, _y);
    }

    /// <summary>C = A·B, 1024³, float32.</summary>
    [Benchmark(Baseline = true), Flops(2.0 * Square * Square * Square)]
    public void Gemm1024Float32()
    {
        _backend.Gemm(false, false, Square, Square, Square, 1, _a32, 0, Square, 0, _b32, 0, Square, 0, 0, _c32, 0, Square, 0, 1, _math);
        BenchCases.Synchronize(_device);
    }

    /// <summary>C = A·B, 1024³, float64.</summary>
    [Benchmark, Flops(2.0 * Square * Square * Square)]
    public void Gemm1024Float64()
    {
        _backend.Gemm(false, false, Square, Square, Square, 1, _a64, 0, Square, 0, _b64, 0, Square, 0, 0, _c64, 0, Square, 0, 1, _math);
        BenchCases.Synchronize(_device);
    }

    /// <summary>y_n = W·col_n for 32 images: M=128, N=1024, K=1152 each, float32.</summary>
    [Benchmark, Flops(2.0 * ConvBatch * ConvM * ConvN * ConvK)]
    public void ConvShapedGemmFloat32()
    {
        _backend.Gemm(false, false, ConvM, ConvN, ConvK, 1, _w, 0, ConvK, 0, _cols, 0, ConvN, (long)ConvK * ConvN,
                      0, _y, 0, ConvN, (long)ConvM * ConvN, ConvBatch, _math);
        BenchCases.Synchronize(_device);
    }
}
