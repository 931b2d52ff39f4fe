using RawGan.Engine;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Analysis;

/// <summary>
/// A run forced to collapse: the default architecture, narrowed, on synthetic shapes with a learning rate of 0.01.
/// Within 20 steps its samples become near-identical while σ0 of G's last convolution more than doubles.
/// </summary>
[Category("Slow")]
public class CollapseHandlingTests
{
    private sealed class Quiet : ITrainingObserver
    {
        public List<string> Messages { get; } = [];

        public void Started(long fromStep, long toStep) { }

        public void Logged(LogEntry entry) { }

        public void Message(string text) => Messages.Add(text);
    }

    private static RunConfig Collapsing(CollapseAction action) => new()
    {
        Model = BigGanConfig.Mnist32 with { Ch = 8, DimZ = 16 },
        Training = new TrainingOptions { Steps = 40, BatchSize = 8, DStepsPerGStep = 1, GLearningRate = 0.01, DLearningRate = 0.01, EmaStart = 5, EmaDecay = 0, Seed = 0, GOrtho = 0 },
        Data = "synthetic", DataSeed = 1,
        LogEvery = 10, SampleEvery = 10, CheckpointEvery = 10, SvEvery = 5,
        Collapse = new CollapseOptions { Action = action, WarmupSteps = 20, SigmaWindow = 20, LossWindow = 5, MaxRollbacks = 1 },
    };

    [Test]
    public void StopEndsTheRunAndMarksTheCheckpointBeforeTheEvent()
    {
        using var folder = new TempFolder();
        var run = RunFolder.Open(folder.Path);
        var observer = new Quiet();
        var result = CollapseHandling.Run(run, Collapsing(CollapseAction.Stop), Device.Cpu, null, observer, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(TrainingOutcome.Collapsed), string.Join("\n", observer.Messages));
        Assert.That(result.Collapse, Is.Not.Null);
        Assert.That(result.Step, Is.EqualTo(result.Collapse!.Step));
        Assert.That(result.Checkpoint, Is.EqualTo(run.CheckpointPath(result.Step - 10)), "the last checkpoint before the event");
        Assert.That(run.LatestCheckpoint(), Is.EqualTo(result.Checkpoint), "nothing is saved after the event");
        Assert.That(File.ReadAllText(Path.Combine(run.Path, CollapseHandling.ResultFileName)), Does.Contain(result.Checkpoint));

        var events = EventLog.Read(run.Path);
        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(events[0].GetProperty("event").GetString(), Is.EqualTo("collapse"));
        Assert.That(events[0].GetProperty("action").GetString(), Is.EqualTo("stop"));
        var fired = events[0].GetProperty("signals").EnumerateArray().Where(s => s.GetProperty("fired").GetBoolean()).ToList();
        Assert.That(fired, Has.Count.GreaterThanOrEqualTo(2));
        Assert.That(fired.All(s => s.GetProperty("evidence").EnumerateObject().Any(p => p.Name.Contains("threshold", StringComparison.Ordinal))), Is.True);

        var sv = SvCsv.Read(Path.Combine(run.Path, SvCsv.FileName));
        Assert.That(sv.Select(r => r.Step).Distinct(), Is.EqualTo(Enumerable.Range(0, (int)result.Step / 5 + 1).Select(i => 5L * i)));
        Assert.That(sv.Select(r => r.Network).Distinct(), Is.EquivalentTo(new[] { "G", "D" }));
    }

    [Test]
    public void RollbackResumesWithHalvedLearningRatesAndKeepsSvCsvFreeOfDuplicates()
    {
        using var folder = new TempFolder();
        var run = RunFolder.Open(folder.Path);
        var observer = new Quiet();
        var config = Collapsing(CollapseAction.Rollback);
        var result = CollapseHandling.Run(run, config, Device.Cpu, null, observer, CancellationToken.None);

        var events = EventLog.Read(run.Path);
        var rollback = events.Single(e => e.GetProperty("event").GetString() == "rollback");
        Assert.That(rollback.GetProperty("g_lr").GetDouble(), Is.EqualTo(0.005));
        Assert.That(rollback.GetProperty("d_lr").GetDouble(), Is.EqualTo(0.005));
        var saved = RunConfig.FromJson(File.ReadAllText(run.ConfigPath), run.ConfigPath);
        Assert.That(saved.Training.GLearningRate, Is.EqualTo(0.005), "the resumed session runs with the halved rates");
        Assert.That(result.Outcome, Is.AnyOf(TrainingOutcome.Completed, TrainingOutcome.Collapsed), string.Join("\n", observer.Messages));

        var sv = SvCsv.Read(Path.Combine(run.Path, SvCsv.FileName));
        var keys = sv.Select(r => (r.Step, r.Network, r.Layer)).ToList();
        Assert.That(keys, Is.Unique, "a step retraced after the rollback replaces its rows");
        var logSteps = File.ReadLines(Path.Combine(run.Path, "log.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.That(logSteps, Is.Unique);
    }
}
