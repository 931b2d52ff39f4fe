using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Bench;

/// <summary>
/// BigGAN's main convolution on the CPU: 3×3, pad 1, 128 → 128 channels, 32×32, batch 32, float32; forward,
/// data gradient and weight gradient each cost 2·N·K·OH·OW·C·R·S operations. bench/torch_cpu_baseline.py
/// times the same three passes.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class ConvBench
{
    private const double Flops = 2.0 * 32 * 128 * 32 * 32 * 128 * 3 * 3;
    private static readonly Conv2dGeometry Geometry = new(32, 128, 32, 32, 128, 3, 3, 1, 1, 1, 1);

    private readonly IBackend _cpu = CpuBackend.Instance;
    private Storage _x = null!, _w = null!, _y = null!, _dy = null!, _dx = null!, _dw = null!;

    /// <summary>Random inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = Geometry;
        var rng = new Random(7);
        long xLen = (long)g.N * g.C * g.H * g.W, wLen = (long)g.K * g.C * g.R * g.S, yLen = (long)g.N * g.K * g.OutH * g.OutW;
        _x = Random(xLen, rng);
        _w = Random(wLen, rng);
        _dy = Random(yLen, rng);
        _y = _cpu.Allocate(DType.Float32, yLen);
        _dx = _cpu.Allocate(DType.Float32, xLen);
        _dw = _cpu.Allocate(DType.Float32, wLen);
    }

    /// <summary>y = conv(x, w).</summary>
    [Benchmark, Flops(Flops)]
    public void Forward() => _cpu.Conv2dForward(_x, _w, _y, Geometry);

    /// <summary>dx from dy and w.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardData() => _cpu.Conv2dBackwardData(_dy, _w, _dx, Geometry);

    /// <summary>dw from x and dy.</summary>
    [Benchmark, Flops(Flops)]
    public void BackwardWeight() => _cpu.Conv2dBackwardWeight(_x, _dy, _dw, Geometry);

    private Storage Random(long length, Random rng)
    {
        var data = new float[length];
        for (long i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        var s = _cpu.Allocate(DType.Float32, length);
        _cpu.CopyFromHost<float>(data, s, 0);
        return s;
    }
}
