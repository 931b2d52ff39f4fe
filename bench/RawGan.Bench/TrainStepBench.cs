using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Bench;

/// <summary>
/// One whole BigGAN training step, exactly <see cref="GanTrainer{TG,TD}.TrainStep"/> with `rawgan train`'s options
/// (2 D steps with real and fake in one batch and the hinge loss, then a G step through the frozen D, orthogonal
/// regularisation 1e-4 on G, Adam on both, the EMA of G), on synthetic data (a fixed batch of images in [−1, 1]).
/// On CUDA the step is a replay of a captured graph after the first two calls, as training runs it.
/// "biggan32": the CIFAR layout (Cifar32 preset) at ch 32, 3 channels, 10 classes, batch 32. "mnist32": `rawgan
/// train`'s default model (Mnist32 preset: ch 16, one channel) at batch 16. "biggan128" (CUDA only): the ImageNet128
/// preset (ch 96, attention at 64, hierarchical z, shared embedding), batch 64. A case without a precision suffix
/// runs in fp32; on CUDA, biggan32 and biggan128 also run as "…/tf32" and "…/bf16" (the trainer's
/// <see cref="TrainingOptions.Precision"/>, which torch_baseline.py pairs with allow_tf32 and bf16 autocast). Each
/// invocation also records the step's peak memory and allocation count (<see cref="StepMemory"/>).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class TrainStepBench
{
    private Device _device = null!;
    private GanTrainer<BigGanGenerator, BigGanDiscriminator> _trainer = null!;
    private FixedBatch _real = null!;
    private List<Tensor> _state = [];

    /// <summary>Device and configuration.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/biggan32";

    /// <summary>biggan32 and mnist32 everywhere, biggan128 and the TF32 and bf16 cases on CUDA.</summary>
    public static IEnumerable<string> Cases() =>
        BenchCases.PerDevice(["biggan32", "mnist32"], "biggan128", "biggan32/tf32", "biggan32/bf16", "biggan128/tf32", "biggan128/bf16");

    /// <summary>The precision of a case: its suffix after the model ("cuda/biggan128/bf16"), fp32 without one.</summary>
    public static Precision PrecisionOf(string benchCase) => BenchCases.VariantOf(benchCase).Split('/') switch
    {
        [_, "tf32"] => Precision.Tf32,
        [_, "bf16"] => Precision.Bf16,
        _ => Precision.Fp32,
    };

    /// <summary>Model configuration and batch size of a case.</summary>
    /// <remarks>
    /// The 128 case starts from N(0, 0.02) rather than ImageNet128's orthogonal init, whose QR decompositions of
    /// 230 M weights take minutes on a server's CPU and do not change what a step costs.
    /// </remarks>
    public static (BigGanConfig Config, int Batch) ConfigOf(string benchCase) => BenchCases.VariantOf(benchCase).Split('/')[0] switch
    {
        "biggan128" => (BigGanConfig.ImageNet128 with { Init = WeightInit.Normal002 }, 64),
        "mnist32" => (BigGanConfig.Mnist32, 16),
        _ => (BigGanConfig.Cifar32 with { Ch = 32 }, 32),
    };

    /// <summary>G, D, G_ema, the trainer and the fixed real batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        var (config, batch) = ConfigOf(Case);
        var g = new BigGanGenerator(config, 1, _device);
        var d = new BigGanDiscriminator(config, 2, _device);
        var gEma = new BigGanGenerator(config, 1, _device);
        var options = new TrainingOptions { BatchSize = batch, Precision = PrecisionOf(Case) };
        _trainer = new GanTrainer<BigGanGenerator, BigGanDiscriminator>(g, d, gEma, options, _device,
            name => name.StartsWith("shared.", StringComparison.Ordinal));
        var images = Engine.Ops.Tanh(Tensor.RandomNormal([batch, config.ImageChannels, config.Resolution, config.Resolution], 3, device: _device));
        var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % config.NumClasses).ToArray(), _device);
        _real = new FixedBatch(images, labels);
        _state = [.. g.StateDict().Concat(d.StateDict()).Concat(gEma.StateDict()).Select(kv => kv.Value),
                  .. _trainer.GOptimizer.StateTensors().Concat(_trainer.DOptimizer.StateTensors()).Select(kv => kv.Value),
                  images, labels];
    }

    /// <summary>Frees the models, the optimiser state and the batch.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _trainer.Dispose(); // optimiser state, the step's buffers and, on CUDA, the captured graph
        foreach (var t in _state) t.Dispose();
        _state = [];
    }

    /// <summary>D steps and the G step (TrainStep reads the losses back, so it ends synchronised).</summary>
    [Benchmark]
    public void TrainStep()
    {
        StepMemory.Measure("TrainStepBench.TrainStep", Case, _device, () => _trainer.TrainStep(_real));
        BenchCases.Synchronize(_device);
    }

    private sealed class FixedBatch(Tensor images, Tensor labels) : IRealBatches
    {
        public (Tensor Images, Tensor Labels) Next() => (images, labels);
    }
}
