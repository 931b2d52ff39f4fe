using System.Text.Json;
using RawGan.Engine.IO;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>
/// `rawgan train --resume`: flags that define the run (model, data, batch, seeds, optimiser constants) cannot change
/// and are rejected by name; the schedule (steps, learning rates, intervals, kept checkpoints, σ tracing, collapse
/// handling) may change, and each change is recorded in config.json with the step it took effect at.
/// </summary>
public class ResumeFlagTests
{
    [Test]
    public void FlagsThatCannotChangeOnResumeAreRejectedByName()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2);
        string config = File.ReadAllText(Path.Combine(run, "config.json"));

        var rejected = RawGanCli.Run("train", "--resume", run, "--steps", "4", "--batch-size", "8", "--seed", "3", "--preset", "Cifar32", "--data", "mnist");
        Assert.That(rejected.ExitCode, Is.EqualTo(2), rejected.ToString());
        Assert.That(rejected.ErrorLines, Has.Length.EqualTo(1), rejected.ToString());
        Assert.That(rejected.Error, Does.Contain("--batch-size").And.Contain("--seed").And.Contain("--preset").And.Contain("--data"));
        Assert.That(rejected.Error, Does.Not.Contain("--steps"));
        Assert.That(File.ReadAllText(Path.Combine(run, "config.json")), Is.EqualTo(config), "nothing ran");
        Assert.That(TinyRun.Checkpoints(run), Is.EqualTo(new[] { "step_00000002.safetensors" }));

        // Repeating the run's own values (a script that appends --resume to its command line) is not a change.
        var same = RawGanCli.Run(["train", "--resume", run, .. TinyRun.Model, "--data", "synthetic", "--steps", "3"]);
        Assert.That(same.ExitCode, Is.EqualTo(0), same.ToString());
    }

    [Test]
    public void ChangedScheduleFlagsAreAppliedAndRecordedWithTheirStep()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2);

        var resumed = RawGanCli.Run("train", "--resume", run, "--steps", "3", "--g-lr", "1e-4", "--keep", "5", "--log-every", "2");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        var root = json.RootElement;
        Assert.That(root.GetProperty("Training").GetProperty("GLearningRate").GetDouble(), Is.EqualTo(1e-4));
        Assert.That(root.GetProperty("Training").GetProperty("DLearningRate").GetDouble(), Is.EqualTo(2e-4), "unchanged");
        Assert.That(root.GetProperty("Training").GetProperty("Steps").GetInt64(), Is.EqualTo(3));
        Assert.That(root.GetProperty("KeepCheckpoints").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("LogEvery").GetInt32(), Is.EqualTo(2));
        var changes = root.GetProperty("Changes").EnumerateArray()
                          .Select(c => (c.GetProperty("Step").GetInt64(), c.GetProperty("Option").GetString(), c.GetProperty("From").GetString(), c.GetProperty("To").GetString()))
                          .ToList();
        Assert.That(changes, Is.EquivalentTo(new (long, string?, string?, string?)[]
        {
            (2, "--steps", "2", "3"), (2, "--g-lr", "0.0002", "0.0001"), (2, "--keep", "3", "5"), (2, "--log-every", "1", "2"),
        }));
        Assert.That(resumed.Out, Does.Contain("--g-lr 0.0002 -> 0.0001"), "the change is announced");

        // The checkpoints written after the change carry it too, so a later resume keeps it.
        using var header = SafeTensors.Load(TinyRun.Checkpoint(run, 3));
        using var inCheckpoint = JsonDocument.Parse(header.Metadata["run_config"]);
        Assert.That(inCheckpoint.RootElement.GetProperty("Training").GetProperty("GLearningRate").GetDouble(), Is.EqualTo(1e-4));
        Assert.That(inCheckpoint.RootElement.GetProperty("Changes").GetArrayLength(), Is.EqualTo(4));
    }
}
