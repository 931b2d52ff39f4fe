using System.Globalization;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>Which checkpoint `--resume` continues from, and what a resume does to the run folder it continues.</summary>
public class ResumeCheckpointTests
{
    [Test]
    public void ACorruptNewestCheckpointIsSkippedSayingWhy()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 4);
        string newest = TinyRun.Checkpoint(run, 4);
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..1000]); // a copy cut short (disk full, a bad sync)

        var resumed = RawGanCli.Run("train", "--resume", run, "--steps", "5");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.All, Does.Contain("step_00000004.safetensors").And.Contain("Skipping"));
        Assert.That(resumed.Out, Does.Contain("Training steps 3 to 5."), "continues from step 2");
    }

    [Test]
    public void ARunWithoutAUsableCheckpointNamesEachAndWhy()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 4);
        foreach (long step in new long[] { 2, 4 }) File.WriteAllText(TinyRun.Checkpoint(run, step), "damaged");

        var result = RawGanCli.Run("train", "--resume", run, "--steps", "5");
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(result.Error, Does.Contain("step_00000002.safetensors").And.Contain("step_00000004.safetensors"));
    }

    [Test]
    public void ResumingFromAnOlderCheckpointMovesTheAbandonedBranchAside()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 6);
        Assert.That(TinyRun.Checkpoints(run), Is.EqualTo(new[] { "step_00000002.safetensors", "step_00000004.safetensors", "step_00000006.safetensors" }));

        var resumed = RawGanCli.Run("train", "--resume", TinyRun.Checkpoint(run, 2), "--steps", "3");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        Assert.That(TinyRun.Checkpoints(run), Is.EqualTo(new[] { "step_00000002.safetensors", "step_00000003.safetensors" }));
        var abandoned = Directory.GetDirectories(Path.Combine(run, "checkpoints"), "abandoned-*");
        Assert.That(abandoned, Has.Length.EqualTo(1));
        Assert.That(Directory.GetFiles(abandoned[0]).Select(Path.GetFileName).Order(),
                    Is.EqualTo(new[] { "step_00000004.safetensors", "step_00000006.safetensors" }));
        Assert.That(resumed.Out, Does.Contain(Path.GetFileName(abandoned[0])), "says where they went");

        var sample = RawGanCli.Run("sample", run, "--device", "cpu", "--out", Path.Combine(folder.Path, "sheet.png"));
        Assert.That(sample.Out, Does.Contain("step_00000003.safetensors"), "the new branch's newest checkpoint is the run's");
    }

    [Test]
    public void StaleTemporaryCheckpointsAreRemovedAtStart()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2);
        string stale = Path.Combine(run, "checkpoints", ".step_00000004.safetensors.0123456789abcdef.tmp");
        File.WriteAllBytes(stale, new byte[4096]); // what a kill during a checkpoint write leaves

        var resumed = RawGanCli.Run("train", "--resume", run, "--steps", "3");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        Assert.That(File.Exists(stale), Is.False);
    }

    [Test]
    public void TheLogsHoldEachStepOnceAndTheirSecondsKeepCounting()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 6);
        var resumed = RawGanCli.Run("train", "--resume", TinyRun.Checkpoint(run, 4), "--steps", "7");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());

        var csv = File.ReadAllLines(Path.Combine(run, "log.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.That(csv.Select(f => long.Parse(f[0], CultureInfo.InvariantCulture)), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6, 7 }));
        var jsonl = File.ReadAllLines(Path.Combine(run, "log.jsonl"));
        Assert.That(jsonl, Has.Length.EqualTo(7));
        var seconds = csv.Select(f => double.Parse(f[4], CultureInfo.InvariantCulture)).ToList();
        Assert.That(seconds, Is.Ordered, "seconds count the run's training time, across sessions");
    }
}
