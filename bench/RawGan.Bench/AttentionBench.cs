using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Model.BigGan;

namespace RawGan.Bench;

/// <summary>
/// BigGAN's self-attention block (<see cref="SelfAttention"/>: theta/phi/g/o spectrally normalised 1×1 convs, 2×2
/// max-pools, two batched products and a softmax) in training mode. "g32": attention at 16×16 in a ch-32 32×32
/// G (128 channels, batch 32, as Mnist32Small places it); "g128" (CUDA only): ImageNet128's G attention at 64×64
/// (192 channels, batch 64). Forward records the graph as training does; ForwardBackward adds the backward.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class AttentionBench
{
    private Device _device = null!;
    private SelfAttention _attention = null!;
    private Tensor _x = null!, _dy = null!;

    /// <summary>Device and shape.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/g32";

    /// <summary>g32 on every device, g128 on CUDA.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["g32"], "g128");

    /// <summary>(N, C, H, W) of a case.</summary>
    public static int[] ShapeOf(string benchCase) => BenchCases.VariantOf(benchCase) == "g128" ? [64, 192, 64, 64] : [32, 128, 16, 16];

    /// <summary>The block and its input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        var shape = ShapeOf(Case);
        var config = BenchCases.VariantOf(Case) == "g128" ? BigGanConfig.ImageNet128 with { Init = WeightInit.Normal002 } : BigGanConfig.Cifar32 with { Ch = 32 };
        _attention = new SelfAttention(shape[1], config, new SeedSequence(1), _device);
        _attention.Train();
        // gamma starts at 0; a non-zero gain keeps every path of the backward alive, as after the first steps.
        _device.Backend.Fill(_attention.Gamma.Storage, 0.1);
        _x = BenchData.Uniform(new Shape(shape), 2, _device, requiresGrad: true);
        _dy = BenchData.Uniform(new Shape(shape), 3, _device);
    }

    /// <summary>Frees the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (_, t) in _attention.StateDict()) t.Dispose();
        BenchData.Free(_x, _dy);
    }

    /// <summary>The block's forward with the graph recorded.</summary>
    [Benchmark(Baseline = true)]
    public void Forward()
    {
        using (new TensorScope()) _attention.Forward(_x);
        BenchCases.Synchronize(_device);
    }

    /// <summary>Forward and backward (gradients of x and of every parameter).</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using (new TensorScope()) _attention.Forward(_x).Backward(_dy);
        BenchCases.Synchronize(_device);
        foreach (var leaf in _attention.NamedParameters().Select(p => p.Value).Append(_x))
        {
            leaf.Grad?.Dispose();
            leaf.Grad = null;
        }
    }
}
