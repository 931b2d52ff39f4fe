using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Engine.Optim;
using RawGan.Model.BigGan;

namespace RawGan.Bench;

/// <summary>
/// Adam over a BigGAN generator's parameters ("g32": ch-32 32×32 G, 4.3 M parameters; "g128", CUDA only: ImageNet128's
/// G, 70 M). PerTensor is our optimiser as training runs it: one fused update kernel per parameter tensor (~100
/// launches). Flat is one fused update over a single buffer of the same total size, the multi-tensor lower bound
/// (what a foreach/fused optimiser over contiguous state would reach). Bytes: p, g, m, v read and p, m, v written.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class AdamBench
{
    private Device _device = null!;
    private Adam _adam = null!;
    private List<Tensor> _parameters = [];
    private Storage _p = null!, _g = null!, _m = null!, _v = null!, _scalars = null!;
    private long _total;

    /// <summary>Device and generator.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/g32";

    /// <summary>g32 everywhere, g128 on CUDA.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["g32"], "g128");

    private static BigGanConfig ConfigOf(string benchCase) =>
        BenchCases.VariantOf(benchCase) == "g128" ? BigGanConfig.ImageNet128 : BigGanConfig.Cifar32 with { Ch = 32 };

    private static readonly Dictionary<string, long> ParameterCounts = [];

    /// <summary>Parameters of the case's G (counted once, on the CPU, without initialising the weights).</summary>
    public static long Parameters(string benchCase)
    {
        lock (ParameterCounts)
        {
            var key = BenchCases.VariantOf(benchCase);
            if (!ParameterCounts.TryGetValue(key, out long n))
                ParameterCounts[key] = n = new BigGanGenerator(ConfigOf(benchCase), 1, Device.Cpu, initialize: false).ParameterCount;
            return n;
        }
    }

    /// <summary>Seven float32 streams per parameter.</summary>
    public static double Bytes(string benchCase) => 7.0 * 4 * Parameters(benchCase);

    /// <summary>Parameters with gradients shaped as the case's G, and the flat buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        var shapes = new BigGanGenerator(ConfigOf(Case), 1, Device.Cpu, initialize: false).NamedParameters()
            .Select(p => (p.Key, p.Value.Shape)).ToList();
        ulong seed = 1;
        var named = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, shape) in shapes)
        {
            var p = BenchData.Uniform(shape, seed++, _device, requiresGrad: true);
            p.Grad = BenchData.Uniform(shape, seed++, _device);
            named.Add(new(name, p));
            _parameters.Add(p);
        }
        _adam = new Adam(named, 1e-4, 0.0, 0.999, 1e-6);
        _total = _parameters.Sum(p => p.Numel);
        var backend = _device.Backend;
        _p = BenchData.Uniform(backend, _total, seed++);
        _g = BenchData.Uniform(backend, _total, seed++);
        _m = backend.Allocate(DType.Float32, _total);
        _v = backend.Allocate(DType.Float32, _total);
        // A step's scalars as AdamStepScalars writes them: step size lr / bc1 and √bc2 (bc1 = 1, bc2 = 0.5).
        _scalars = backend.Allocate(DType.Float64, 2);
        backend.CopyFromHost<double>([1e-4, Math.Sqrt(0.5)], _scalars, 0);
    }

    /// <summary>Frees parameters, gradients, moments and the flat buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (_, t) in _adam.StateTensors()) t.Dispose();
        foreach (var p in _parameters)
        {
            p.Grad?.Dispose();
            p.Dispose();
        }
        _parameters = [];
        _adam.Dispose();
        BenchData.Free(_p, _g, _m, _v, _scalars);
    }

    /// <summary>Our optimiser's step: one fused kernel per parameter tensor.</summary>
    [Benchmark(Baseline = true), Bytes(nameof(Bytes))]
    public void PerTensor()
    {
        _adam.Step();
        BenchCases.Synchronize(_device);
    }

    /// <summary>One fused kernel over all parameters in one buffer.</summary>
    [Benchmark, Bytes(nameof(Bytes))]
    public void Flat()
    {
        _device.Backend.AdamUpdate(_p, _g, _m, _v, _total, 0.0, 0.999, 1e-6, _scalars);
        BenchCases.Synchronize(_device);
    }
}
