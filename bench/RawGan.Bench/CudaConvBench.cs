using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// The two CUDA convolution algorithms (<see cref="ConvAlgorithm"/>) on BigGAN's convolution shapes, float32:
/// forward, data gradient and weight gradient, each synchronised so that the time is the GPU's. Decides whether
/// the implicit-GEMM kernels replace im2col + cuBLAS as the default. Needs a GPU (skipped without one).
/// </summary>
[Config(typeof(CudaBenchConfig))]
public class CudaConvBench
{
    private CudaBackend _gpu = null!;
    private Storage _x = null!, _w = null!, _y = null!, _dy = null!, _dx = null!, _dw = null!;

    /// <summary>
    /// BigGAN's convolutions at batch 32: the 32×32 body at 128 channels (as ConvBench on the CPU) and at Mnist32's 64,
    /// the output convolution to one channel, and a 1x1 shortcut. Four shapes keep gpu-check's run short.
    /// </summary>
    public static IEnumerable<ConvCase> Cases =>
    [
        new("3x3 128-128 32x32", new(32, 128, 32, 32, 128, 3, 3, 1, 1, 1, 1)),
        new("3x3 64-64 32x32", new(32, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1)),
        new("3x3 64-1 32x32 (output)", new(32, 64, 32, 32, 1, 3, 3, 1, 1, 1, 1)),
        new("1x1 256-128 16x16 (shortcut)", new(32, 256, 16, 16, 128, 1, 1, 1, 1, 0, 0)),
    ];

    /// <summary>The convolution.</summary>
    [ParamsSource(nameof(Cases))]
    public ConvCase Case { get; set; } = null!;

    /// <summary>The algorithm under test.</summary>
    [Params(ConvAlgorithm.Im2colGemm, ConvAlgorithm.ImplicitGemm)]
    public ConvAlgorithm Algorithm { get; set; }

    /// <summary>Random operands on the GPU.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gpu = CudaBackend.Open();
        _gpu.ConvAlgorithm = Algorithm;
        var g = Case.Geometry;
        var rng = new Random(7);
        long xLen = (long)g.N * g.C * g.H * g.W, wLen = (long)g.K * g.C * g.R * g.S, yLen = (long)g.N * g.K * g.OutH * g.OutW;
        _x = Random(xLen, rng);
        _w = Random(wLen, rng);
        _dy = Random(yLen, rng);
        _y = _gpu.Allocate(DType.Float32, yLen);
        _dx = _gpu.Allocate(DType.Float32, xLen);
        _dw = _gpu.Allocate(DType.Float32, wLen);
    }

    /// <summary>Releases the device.</summary>
    [GlobalCleanup]
    public void Cleanup() => _gpu.Dispose();

    /// <summary>y = conv(x, w).</summary>
    [Benchmark]
    public void Forward()
    {
        _gpu.Conv2dForward(_x, _w, _y, Case.Geometry, MathMode.Exact);
        _gpu.Synchronize();
    }

    /// <summary>dx from dy and w.</summary>
    [Benchmark]
    public void BackwardData()
    {
        _gpu.Conv2dBackwardData(_dy, _w, _dx, Case.Geometry, MathMode.Exact);
        _gpu.Synchronize();
    }

    /// <summary>dw from x and dy.</summary>
    [Benchmark]
    public void BackwardWeight()
    {
        _gpu.Conv2dBackwardWeight(_x, _dy, _dw, Case.Geometry, MathMode.Exact);
        _gpu.Synchronize();
    }

    private Storage Random(long length, Random rng)
    {
        var data = new float[length];
        for (long i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        var s = _gpu.Allocate(DType.Float32, length);
        _gpu.CopyFromHost<float>(data, s, 0);
        return s;
    }
}

/// <summary>A named convolution shape (the name is what the benchmark table shows).</summary>
public sealed record ConvCase(string Name, Conv2dGeometry Geometry)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}
