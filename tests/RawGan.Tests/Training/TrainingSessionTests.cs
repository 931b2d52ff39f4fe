using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.BigGan;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Training;

/// <summary>A whole `rawgan train` session (BigGAN, loader, checkpoints, samples) on a small synthetic data set.</summary>
public class TrainingSessionTests
{
    private sealed class Quiet(Action<LogEntry>? onLogged = null) : ITrainingObserver
    {
        public List<LogEntry> Entries { get; } = [];

        public void Started(long fromStep, long toStep) { }

        public void Logged(LogEntry entry)
        {
            Entries.Add(entry);
            onLogged?.Invoke(entry);
        }

        public void Message(string text) { }
    }

    private static RunConfig Config(long steps) => new()
    {
        Model = BigGanConfig.Mnist32Small with { Ch = 8, DimZ = 16, SharedDim = 8, GAttention = [], DAttention = [] },
        Training = new TrainingOptions { Steps = steps, BatchSize = 8, DStepsPerGStep = 1, GLearningRate = 2e-4, DLearningRate = 2e-4, EmaStart = 2, EmaDecay = 0.9, Seed = 5 },
        Data = "synthetic",
        LogEvery = 1, SampleEvery = 2, CheckpointEvery = 2, KeepCheckpoints = 2, SamplesPerClass = 2,
    };

    [Test]
    [Category("Slow")]
    public void StoppingAndResumingGivesTheSameCheckpointAsOneRun()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        var straight = TrainingSession.Run(RunFolder.Open(a.Path), Config(4), Device.Cpu, null, new Quiet(), CancellationToken.None);
        Assert.That(straight.Outcome, Is.EqualTo(TrainingOutcome.Completed));

        var first = TrainingSession.Run(RunFolder.Open(b.Path), Config(2), Device.Cpu, null, new Quiet(), CancellationToken.None);
        var second = TrainingSession.Run(RunFolder.Open(b.Path), Config(4), Device.Cpu, first.Checkpoint, new Quiet(), CancellationToken.None);
        Assert.That(second.Step, Is.EqualTo(4));

        using var x = SafeTensors.Load(straight.Checkpoint!);
        using var y = SafeTensors.Load(second.Checkpoint!);
        Assert.That(y.Keys.Order(), Is.EqualTo(x.Keys.Order()));
        foreach (var name in x.Keys)
            Assert.That(y[name].ToArray<float>(), Is.EqualTo(x[name].ToArray<float>()), $"{name} differs after stop and resume");
    }

    [Test]
    public void ARunWritesItsConfigLogsSamplesAndKeepsTheNewestCheckpoints()
    {
        using var folder = new TempFolder();
        string dir = folder.Path;
        var run = RunFolder.Open(dir);
        var observer = new Quiet();
        var result = TrainingSession.Run(run, Config(6), Device.Cpu, null, observer, CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Completed));
        Assert.That(observer.Entries.Select(e => e.Step), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(observer.Entries.All(e => double.IsFinite(e.GLoss) && double.IsFinite(e.DLossReal)), Is.True);
        Assert.That(RunConfig.FromJson(File.ReadAllText(run.ConfigPath), run.ConfigPath), Is.Not.Null);
        Assert.That(File.ReadAllLines(Path.Combine(dir, "log.csv")), Has.Length.EqualTo(7));
        Assert.That(File.ReadAllLines(Path.Combine(dir, "log.jsonl")), Has.Length.EqualTo(6));
        Assert.That(run.Checkpoints().Select(Path.GetFileName), Is.EqualTo(new[] { "step_00000004.safetensors", "step_00000006.safetensors" }));
        Assert.That(Directory.GetFiles(run.SamplesFolder, "*.png"), Has.Length.EqualTo(3));
    }

    [Test]
    public void ASheetOfOneImageIsWrittenWithoutADiversity()
    {
        using var folder = new TempFolder();
        var run = RunFolder.Open(folder.Path);
        var result = TrainingSession.Run(run, Config(2) with { SampleClasses = 1, SamplesPerClass = 1, SvEvery = 0 }, Device.Cpu, null, new Quiet(), CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Completed));
        Assert.That(Directory.GetFiles(run.SamplesFolder, "*.png"), Has.Length.EqualTo(1));
    }

    [Test]
    public void AStopRequestWritesACheckpointAndEndsTheRun()
    {
        using var folder = new TempFolder();
        string dir = folder.Path;
        using var stop = new CancellationTokenSource();
        var run = RunFolder.Open(dir);
        // Ctrl-C arrives while step 3 is logged (checkpoints are due at 5). Logs run a step behind the device, so step 4 is
        // already queued: the run ends after it, with its own checkpoint.
        var result = TrainingSession.Run(run, Config(6) with { CheckpointEvery = 5 }, Device.Cpu, null, new Quiet(e => { if (e.Step == 3) stop.Cancel(); }), stop.Token);
        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Stopped));
        Assert.That(result.Step, Is.EqualTo(4));
        Assert.That(result.Checkpoint, Is.EqualTo(run.CheckpointPath(4)));
        Assert.That(File.Exists(result.Checkpoint), Is.True);
    }

    [Test]
    [Category("Slow")]
    public void ANonFiniteLossStopsTheRunBeforeALaterCheckpointIsWritten()
    {
        using var folder = new TempFolder();
        var run = RunFolder.Open(folder.Path);
        var config = Config(8) with { CheckpointEvery = 2, SampleEvery = 0, SvEvery = 0 };
        var first = TrainingSession.Run(run, config with { Training = config.Training with { Steps = 2 } }, Device.Cpu, null, new Quiet(), CancellationToken.None);
        Assert.That(first.Checkpoint, Is.EqualTo(run.CheckpointPath(2)));

        // Resumed with a G learning rate beyond float's range (the float32 step size is infinite): step 3's update makes
        // G's weights infinite or NaN (its own losses are still finite), so step 4's losses are NaN, and step 4 is a
        // checkpoint step.
        var observer = new Quiet();
        var broken = config with { Training = config.Training with { GLearningRate = 1e300 } };
        var result = TrainingSession.Run(run, broken, Device.Cpu, first.Checkpoint, observer, CancellationToken.None);
        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Diverged));
        Assert.That(result.Step, Is.EqualTo(4));
        Assert.That(result.Error, Does.Contain("step 4"));
        Assert.That(result.Checkpoint, Is.EqualTo(run.CheckpointPath(2)), "the last checkpoint before the bad step is the result");
        Assert.That(run.Checkpoints().Select(Path.GetFileName), Is.EqualTo(new[] { "step_00000002.safetensors" }), "nothing was written after it");
        Assert.That(observer.Entries.Select(e => e.Step), Is.EqualTo(new long[] { 3 }), "step 3 was logged, step 4 was not");
    }

    [Test]
    public void DataThatDoesNotFitTheModelIsRejectedWithTheFix()
    {
        using var folder = new TempFolder();
        string dir = folder.Path;
        var config = Config(2) with { Model = Config(2).Model with { NumClasses = 7 }, Data = "cifar10", DataPath = dir };
        Assert.That(() => TrainingSession.Run(RunFolder.Open(dir), config, Device.Cpu, null, new Quiet(), CancellationToken.None),
                    Throws.Exception.With.Message.Contains("data_batch_1.bin").Or.Message.Contains("CIFAR"));
    }
}
