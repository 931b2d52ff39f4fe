using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// BigGAN-32's main convolution (ch 32: 3×3, pad 1, 128 → 128 channels, 32×32, batch 32): forward, data gradient and
/// weight gradient, each 2·N·K·OH·OW·C·R·S operations. CPU: our im2col GEMM in float32. CUDA, float32: one case per
/// exact algorithm ("cuda/Im2colGemm": im2col + cuBLAS, "cuda/ImplicitGemm": our FMA kernel); TF32 and bfloat16
/// (bfloat16 output): "cuda/tf32/…" and "cuda/bf16/…" with our tensor-core kernels (TensorCore, the shape's default
/// tile) and im2col + cuBLAS on tensor cores. bench/torch_baseline.py times the same passes (oneDNN on the CPU, cuDNN
/// on the GPU in each precision); CudaConvBench covers BigGAN-128's shapes.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class ConvBench
{
    private const double Flops = 2.0 * 32 * 128 * 32 * 32 * 128 * 3 * 3;
    private static readonly Conv2dGeometry Geometry = new(32, 128, 32, 32, 128, 3, 3, 1, 1, 1, 1);

    /// <summary>The CUDA cases: exact float32 by algorithm, then TF32 and bfloat16 by algorithm.</summary>
    private static readonly string[] CudaVariants =
        ["Im2colGemm", "ImplicitGemm", "tf32/TensorCore", "tf32/Im2colGemm", "bf16/TensorCore", "bf16/Im2colGemm"];

    private Device _device = null!;
    private ConvAlgorithm _defaultAlgorithm;
    private IBackend _backend = null!;
    private MathMode _math;
    private Storage _x = null!, _w = null!, _y = null!, _dy = null!, _dx = null!, _dw = null!;

    /// <summary>Device, precision and algorithm.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu";

    /// <summary>cpu, and cuda/[tf32/|bf16/]&lt;algorithm&gt;.</summary>
    public static IEnumerable<string> Cases() =>
        BenchCases.Devices.SelectMany(d => d == "cpu" ? ["cpu"] : CudaVariants.Select(v => $"cuda/{v}"));

    /// <summary>Random inputs on the case's device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        var variant = BenchCases.VariantOf(Case).Split('/');
        var dtype = variant[0] == "bf16" ? DType.BFloat16 : DType.Float32;
        _math = variant[0] == "tf32" ? MathMode.Tf32 : MathMode.Exact;
        if (_backend is CudaBackend cuda)
        {
            _defaultAlgorithm = cuda.ConvAlgorithm;
            cuda.ConvAlgorithm = Enum.Parse<ConvAlgorithm>(variant[^1]);
        }
        var g = Geometry;
        long xLen = (long)g.N * g.C * g.H * g.W, wLen = (long)g.K * g.C * g.R * g.S, yLen = (long)g.N * g.K * g.OutH * g.OutW;
        _x = BenchData.Uniform(_backend, xLen, 1, dtype);
        _w = BenchData.Uniform(_backend, wLen, 2, dtype);
        _dy = BenchData.Uniform(_backend, yLen, 3, dtype);
        _y = _backend.Allocate(dtype, yLen);
        _dx = _backend.Allocate(dtype, xLen);
        _dw = _backend.Allocate(dtype, wLen);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_backend is CudaBackend cuda)
            cuda.ConvAlgorithm = _defaultAlgorithm; // back to what RAWGAN_CONV_ALGO gave
        BenchData.Free(_x, _w, _y, _dy, _dx, _dw);
    }

    /// <summary>y = conv(x, w).</summary>
    [Benchmark(Baseline = true), Flops(Flops)]
    public void Forward()
    {
        _backend.Conv2dForward(_x, _w, _y, Geometry, _math);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dx from dy and w.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardData()
    {
        _backend.Conv2dBackwardData(_dy, _w, _dx, Geometry, _math);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dw from x and dy.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardWeight()
    {
        _backend.Conv2dBackwardWeight(_x, _dy, _dw, Geometry, _math);
        BenchCases.Synchronize(_device);
    }
}
