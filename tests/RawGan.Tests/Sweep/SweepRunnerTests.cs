using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Metrics;
using RawGan.Model.Sweep;
using RawGan.Model.Training;
using RawGan.Tests.IO;
using RawGan.Tests.Metrics;

namespace RawGan.Tests.Sweep;

/// <summary>A 2×2 grid of tiny runs on synthetic data, stopped in the middle of a run and continued.</summary>
public class SweepRunnerTests
{
    private sealed class Recorder(Action<SweepCell, ulong, LogEntry>? onLogged = null) : ISweepObserver
    {
        public List<(int Runs, int Finished)> Plans { get; } = [];
        public List<(int Cell, ulong Seed, long FromStep)> Starts { get; } = [];
        public List<SweepResult> Finished { get; } = [];
        public int Scorings { get; private set; }

        public void Planned(int runs, int finished, long totalSteps, long finishedSteps) => Plans.Add((runs, finished));

        public ITrainingObserver RunStarted(SweepCell cell, ulong seed, string folder) => new Training(this, cell, seed);

        public void Scoring(SweepCell cell, ulong seed, double? truncation) => Scorings++;

        public void RunFinished(SweepResult result) => Finished.Add(result);

        private sealed class Training(Recorder owner, SweepCell cell, ulong seed) : ITrainingObserver
        {
            public void Started(long fromStep, long toStep) => owner.Starts.Add((cell.Index, seed, fromStep));

            public void Logged(LogEntry entry) => owner._onLogged?.Invoke(cell, seed, entry);

            public void Message(string text) { }
        }

        private readonly Action<SweepCell, ulong, LogEntry>? _onLogged = onLogged;
    }

    private static SweepSpec Spec(string dataFolder) => new()
    {
        Name = "tiny",
        Base = new RunConfig
        {
            Model = BigGanConfig.Mnist32 with { Ch = 4, DimZ = 16, NumClasses = 4 },
            Training = new TrainingOptions { Steps = 2, BatchSize = 4, DStepsPerGStep = 1, EmaStart = 1, EmaDecay = 0.5 },
            Data = "synthetic", DataPath = dataFolder,
            LogEvery = 1, SampleEvery = 0, CheckpointEvery = 1, KeepCheckpoints = 1, SamplesPerClass = 1, SvEvery = 0,
        },
        Grid = [new("batch", ["4", "6"]), new("shared", ["false", "true"])],
        Seeds = [3],
        Truncations = ["none", "1.0"],
        EvalSamples = 20,
    };

    [Test]
    [Category("Slow")]
    public void ATwoByTwoGridStopsInARunAndContinuesWhereItStopped()
    {
        using var folder = new TempFolder();
        string sweepFolder = Path.Combine(folder.Path, "sweep");
        var spec = Spec(Path.Combine(folder.Path, "data"));
        string weights = Path.Combine(folder.Path, "bands.weights");
        File.WriteAllText(weights, "stand-in for a feature network's weights");
        using var features = FeatureSetup.Create(new BandFeatures(), weights, spec.Base, "train", 64, Device.Cpu);

        // First invocation: Ctrl-C during step 1 of the second run.
        using var stop = new CancellationTokenSource();
        var first = new Recorder((cell, _, entry) => { if (cell.Index == 1 && entry.Step == 1) stop.Cancel(); });
        var (partial, complete) = SweepRunner.Open(sweepFolder, spec).Run(Device.Cpu, features, first, stop.Token);
        Assert.That(complete, Is.False);
        Assert.That(partial.Select(r => r.Cell), Is.EqualTo(new[] { 0 }));
        Assert.That(first.Plans, Is.EqualTo(new[] { (4, 0) }));
        Assert.That(File.Exists(Path.Combine(sweepFolder, "runs", "cell01-seed3", "checkpoints", "step_00000001.safetensors")), "the stopped run kept its checkpoint");
        string firstLine = File.ReadLines(Path.Combine(sweepFolder, SweepResults.FileName)).Single();

        // Second invocation, from the folder alone: the finished run is kept, the stopped one resumes at step 1.
        var second = new Recorder();
        var runner = SweepRunner.Open(sweepFolder, null);
        var (results, done) = runner.Run(Device.Cpu, features, second, CancellationToken.None);
        Assert.That(done, Is.True);
        Assert.That(second.Plans, Is.EqualTo(new[] { (4, 1) }));
        Assert.That(second.Starts, Is.EqualTo(new[] { (1, 3UL, 1L), (2, 3UL, 0L), (3, 3UL, 0L) }));
        Assert.That(second.Scorings, Is.EqualTo(3 * 2));
        var lines = File.ReadAllLines(Path.Combine(sweepFolder, SweepResults.FileName));
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Is.EqualTo(firstLine), "the finished run is not redone");
        Assert.That(results.Select(r => r.Cell).Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        foreach (var r in results)
        {
            Assert.That((r.Outcome, r.Step, r.Seed), Is.EqualTo((TrainingOutcome.Completed, 2L, 3UL)), r.Label);
            Assert.That(r.Scores.Select(s => s.Truncation), Is.EqualTo(new double?[] { null, 1.0 }), r.Label);
            Assert.That(r.Scores.All(s => double.IsFinite(s.Fid) && s.Fid >= 0 && s.Is >= 1), Is.True, r.Label);
            Assert.That(r.TrainSeconds, Is.GreaterThan(0), r.Label);
            string run = Path.Combine(sweepFolder, "runs", $"cell{r.Cell:D2}-seed3");
            Assert.That(EvalLog.Read(Path.Combine(run, EvalLog.FileName)), Has.Count.EqualTo(2), "scores also go to the run's eval.jsonl");
        }
        var shared = RunConfig.FromJson(File.ReadAllText(Path.Combine(sweepFolder, "runs", "cell03-seed3", "config.json")), "config.json");
        Assert.That((shared.Training.BatchSize, shared.Model.SharedEmbedding, shared.Training.Seed), Is.EqualTo((6, true, 3UL)), "each run trains its cell's configuration");

        var rows = SweepTable.Build(runner.Spec, runner.Cells, results);
        Assert.That(rows.Where(r => r.Truncation is null).Select(r => r.Seeds), Is.All.EqualTo(1));
        Assert.That(rows.Count(r => r.IsChange is not null), Is.EqualTo(6), "every cell but the baseline, at both truncations");

        // A finished sweep has nothing left to do; another sweep in its folder is refused.
        var third = new Recorder();
        Assert.That(SweepRunner.Open(sweepFolder, spec).Run(Device.Cpu, features, third, CancellationToken.None).Complete, Is.True);
        Assert.That(third.Starts, Is.Empty);
        Assert.That(() => SweepRunner.Open(sweepFolder, spec with { Seeds = [4] }), Throws.ArgumentException.With.Message.Contains("different sweep"));
    }
}
