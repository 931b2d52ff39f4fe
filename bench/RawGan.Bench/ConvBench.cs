using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// BigGAN-32's main convolution (ch 32: 3×3, pad 1, 128 → 128 channels, 32×32, batch 32, float32): forward, data
/// gradient and weight gradient, each 2·N·K·OH·OW·C·R·S operations. CPU: our im2col GEMM. CUDA: one case per
/// CUDA convolution algorithm ("cuda/Im2colGemm": im2col + cuBLAS, "cuda/ImplicitGemm": the custom kernel).
/// bench/torch_baseline.py times the same passes (oneDNN on the CPU, cuDNN on the GPU).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class ConvBench
{
    private const double Flops = 2.0 * 32 * 128 * 32 * 32 * 128 * 3 * 3;
    private static readonly Conv2dGeometry Geometry = new(32, 128, 32, 32, 128, 3, 3, 1, 1, 1, 1);

    /// <summary>The CUDA convolution algorithms compared.</summary>
    private static string[] CudaAlgorithms => Enum.GetNames<ConvAlgorithm>();

    private Device _device = null!;
    private ConvAlgorithm _defaultAlgorithm;
    private IBackend _backend = null!;
    private Storage _x = null!, _w = null!, _y = null!, _dy = null!, _dx = null!, _dw = null!;

    /// <summary>Device and algorithm.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu";

    /// <summary>cpu, and cuda/&lt;algorithm&gt; for each CUDA algorithm.</summary>
    public static IEnumerable<string> Cases() =>
        BenchCases.Devices.SelectMany(d => d == "cpu" ? ["cpu"] : CudaAlgorithms.Select(a => $"cuda/{a}"));

    /// <summary>Random inputs on the case's device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        if (_backend is CudaBackend cuda)
        {
            _defaultAlgorithm = cuda.ConvAlgorithm;
            cuda.ConvAlgorithm = Enum.Parse<ConvAlgorithm>(BenchCases.VariantOf(Case));
        }
        var g = Geometry;
        long xLen = (long)g.N * g.C * g.H * g.W, wLen = (long)g.K * g.C * g.R * g.S, yLen = (long)g.N * g.K * g.OutH * g.OutW;
        _x = BenchData.Uniform(_backend, xLen, 1);
        _w = BenchData.Uniform(_backend, wLen, 2);
        _dy = BenchData.Uniform(_backend, yLen, 3);
        _y = _backend.Allocate(DType.Float32, yLen);
        _dx = _backend.Allocate(DType.Float32, xLen);
        _dw = _backend.Allocate(DType.Float32, wLen);
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
        _backend.Conv2dForward(_x, _w, _y, Geometry, MathMode.Exact);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dx from dy and w.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardData()
    {
        _backend.Conv2dBackwardData(_dy, _w, _dx, Geometry, MathMode.Exact);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dw from x and dy.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardWeight()
    {
        _backend.Conv2dBackwardWeight(_x, _dy, _dw, Geometry, MathMode.Exact);
        BenchCases.Synchronize(_device);
    }
}
