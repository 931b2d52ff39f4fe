using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Metrics;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Metrics;

/// <summary>`rawgan train --eval-every`: records in eval.jsonl and best.safetensors, on a tiny synthetic run.</summary>
public class TrainingEvaluatorTests
{
    private sealed class Quiet : ITrainingObserver
    {
        public List<string> Messages { get; } = [];

        public void Started(long fromStep, long toStep) { }

        public void Logged(LogEntry entry) { }

        public void Message(string text) => Messages.Add(text);
    }

    [Test]
    [Category("Slow")]
    public void RecordsEveryNStepsAndKeepsTheBestCheckpoint()
    {
        using var folder = new TempFolder();
        var config = new RunConfig
        {
            Model = BigGanConfig.Mnist32Small with { Resolution = 32, Ch = 8, DimZ = 16, SharedDim = 8, NumClasses = 4, GAttention = [], DAttention = [] },
            Training = new TrainingOptions { Steps = 4, BatchSize = 8, DStepsPerGStep = 1, EmaStart = 1, EmaDecay = 0.5, Seed = 2 },
            Data = "synthetic", DataPath = Path.Combine(folder.Path, "data"),
            LogEvery = 1, SampleEvery = 0, CheckpointEvery = 0, KeepCheckpoints = 5, SamplesPerClass = 1,
        };
        string weights = Path.Combine(folder.Path, "bands.weights");
        File.WriteAllText(weights, "stand-in for a feature network's weights");
        var run = RunFolder.CreateNew(Path.Combine(folder.Path, "runs"), "r");
        using var setup = FeatureSetup.Create(new BandFeatures(), weights, config, "train", 256, Device.Cpu);
        Assert.That(File.Exists(Path.Combine(folder.Path, "data", "rawgan-stats", setup.Key.FileName)), "real statistics cached beside the data set");

        var evaluator = new TrainingEvaluator(setup, every: 2, samples: 40, truncation: null, seed: 1, run);
        var observer = new Quiet();
        var result = TrainingSession.Run(run, config, Device.Cpu, null, observer, CancellationToken.None, evaluator);

        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Completed));
        var records = EvalLog.Read(Path.Combine(run.Path, EvalLog.FileName));
        Assert.That(records.Select(r => r.Step), Is.EqualTo(new long[] { 2, 4 }));
        Assert.That(records.All(r => r.Source == "train" && double.IsFinite(r.Fid) && r.Fid >= 0 && r.IsMean >= 1 && r.Samples == 40));
        Assert.That(observer.Messages.Count(m => m.StartsWith("Eval step", StringComparison.Ordinal)), Is.EqualTo(2));
        var best = records.MinBy(r => r.Fid)!;
        Assert.That(File.ReadAllBytes(Path.Combine(run.Path, TrainingEvaluator.BestFileName)),
                    Is.EqualTo(File.ReadAllBytes(Path.Combine(run.Path, best.Checkpoint!))), "best.safetensors is the checkpoint of the lowest FID");
    }
}
