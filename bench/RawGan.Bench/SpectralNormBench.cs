using BenchmarkDotNet.Attributes;
using RawGan.Engine;

namespace RawGan.Bench;

/// <summary>
/// One spectral-norm power iteration (v = normalize(Wᵀu), u' = normalize(Wv), σ = u'ᵀWv) on BigGAN's weight shapes,
/// W viewed as (out, in·kh·kw): "conv128" = BigGAN-32's (ch 32) 3×3 128 → 128 conv, 128 × 1152; "conv1536" =
/// ImageNet128's largest, the 3×3 1536 → 1536 convs of G's first block and D's last blocks, 1536 × 13824 (81 MiB);
/// "linear24576" = ImageNet128 G's input linear, 24576 × 20. Memory-bound: W is read twice (Wᵀu needs all of u
/// before Wv can start), so the bytes are 2·|W|·4.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class SpectralNormBench
{
    private Device _device = null!;
    private IBackend _backend = null!;
    private int _rows, _cols;
    private Storage _w = null!, _u = null!, _v = null!, _sigma = null!;

    /// <summary>Device and weight shape.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/conv128";

    /// <summary>Every shape on every device (one iteration is cheap even at ImageNet size).</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["conv128", "conv1536", "linear24576"]);

    /// <summary>(rows, cols) of a case.</summary>
    public static (int Rows, int Cols) ShapeOf(string benchCase) => BenchCases.VariantOf(benchCase) switch
    {
        "conv1536" => (1536, 1536 * 9),
        "linear24576" => (24576, 20),
        _ => (128, 128 * 9),
    };

    /// <summary>W read twice.</summary>
    public static double Bytes(string benchCase)
    {
        var (rows, cols) = ShapeOf(benchCase);
        return 2.0 * rows * cols * 4;
    }

    /// <summary>Random W and u.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        (_rows, _cols) = ShapeOf(Case);
        _w = BenchData.Uniform(_backend, (long)_rows * _cols, 1);
        _u = BenchData.Uniform(_backend, _rows, 2);
        _v = _backend.Allocate(DType.Float32, _cols);
        _sigma = _backend.Allocate(DType.Float32, 1);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup() => BenchData.Free(_w, _u, _v, _sigma);

    /// <summary>One power iteration, u updated in place (as in training).</summary>
    [Benchmark(Baseline = true), Bytes(nameof(Bytes))]
    public void PowerIteration()
    {
        _backend.SpectralNormPowerIteration(_w, _rows, _cols, _u, _u, _v, _sigma, 1e-6);
        BenchCases.Synchronize(_device);
    }
}
