using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Bench;

/// <summary>
/// The singular-value tracer as `rawgan train` runs it (TrainingMonitor: every weight of G and D, σ0..σ2, the live
/// cap of 50 iterations), on the default Mnist32 model at six snapshots ten training steps apart, taken from a short
/// run on a fixed synthetic batch (as TrainStepBench trains): one invocation traces all six in order with a fresh
/// tracer, so the first trace starts cold and the other five warm from the previous one's vectors, as live traces
/// at --sv-every 10 do. The setup prints the device reads of each trace.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class SvTraceBench
{
    private const int Snapshots = 6;
    private const int StepsBetween = 10;
    private const int Batch = 8; // the weights move by the learning rate per step (Adam), whatever the batch; 8 keeps the setup short
    private readonly List<(string Network, IReadOnlyDictionary<string, Tensor> State)[]> _snapshots = [];

    /// <summary>Device and model.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/mnist32";

    /// <summary>The default model on every device.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["mnist32"]);

    /// <summary>Trains Mnist32 for 50 steps on a fixed batch of 8, keeping G's and D's state every 10 steps.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var device = BenchCases.Open(Case);
        var config = BigGanConfig.Mnist32;
        var g = new BigGanGenerator(config, 1, device);
        var d = new BigGanDiscriminator(config, 2, device);
        var options = new TrainingOptions { BatchSize = Batch };
        var trainer = new GanTrainer<BigGanGenerator, BigGanDiscriminator>(g, d, null, options, device);
        var images = Engine.Ops.Tanh(Tensor.RandomNormal([Batch, config.ImageChannels, config.Resolution, config.Resolution], 3, device: device));
        var labels = Tensor.FromArray(Enumerable.Range(0, Batch).Select(i => i % config.NumClasses).ToArray(), device);
        var batch = new FixedBatch(images, labels);
        for (int s = 0; s < Snapshots; s++)
        {
            if (s > 0)
                for (int i = 0; i < StepsBetween; i++) trainer.TrainStep(batch);
            _snapshots.Add([("G", Copy(g)), ("D", Copy(d))]);
        }
        using var spectra = new NetworkSpectra(new SubspaceSvdOptions(MaxIterations: 50));
        var reads = _snapshots.Select((s, i) => { spectra.Compute(i, s); return spectra.LastReads; });
        Console.WriteLine($"SvTraceBench {Case}: device reads per trace {string.Join(", ", reads)}");
    }

    /// <summary>Frees the snapshots.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in _snapshots.SelectMany(s => s).SelectMany(s => s.State.Values)) t.Dispose();
        _snapshots.Clear();
    }

    /// <summary>Six traces of G and D: one cold, five warm.</summary>
    [Benchmark]
    public void Traces()
    {
        using var spectra = new NetworkSpectra(new SubspaceSvdOptions(MaxIterations: 50));
        for (int i = 0; i < _snapshots.Count; i++) spectra.Compute(i * StepsBetween, _snapshots[i]);
    }

    private static IReadOnlyDictionary<string, Tensor> Copy(Engine.Nn.Module module) =>
        module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);

    private sealed class FixedBatch(Tensor images, Tensor labels) : IRealBatches
    {
        public (Tensor Images, Tensor Labels) Next() => (images, labels);
    }
}
