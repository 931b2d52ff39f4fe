using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan sv-trace` and the σ trace of `rawgan train`, as a user sees them.</summary>
public class SvTraceCommandTests
{
    [Test]
    public void TheCheckpointSourceWritesItsOwnFilesBesideThoseOfTheLiveTrace()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 4, "--sv-every", "1");
        var fromCsv = RawGanCli.Run("sv-trace", run);
        Assert.That(fromCsv.ExitCode, Is.EqualTo(0), fromCsv.ToString());
        string[] csvOutputs = ["sv-G.png", "sv-D.png", "sv-summary.txt"];
        var before = csvOutputs.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(run, f)));

        var fromCheckpoints = RawGanCli.Run("sv-trace", run, "--source", "checkpoints", "--device", "cpu");
        Assert.That(fromCheckpoints.ExitCode, Is.EqualTo(0), fromCheckpoints.ToString());
        foreach (var f in csvOutputs) Assert.That(File.ReadAllBytes(Path.Combine(run, f)), Is.EqualTo(before[f]), $"{f} is the live trace's");
        foreach (var f in new[] { "sv-checkpoints.csv", "sv-checkpoints-G.png", "sv-checkpoints-D.png", "sv-checkpoints-summary.txt" })
            Assert.That(File.Exists(Path.Combine(run, f)), Is.True, f);
    }

    [Test]
    public void AResumedRunBeforeItsNextTraceDoesNotSayTracingIsOff()
    {
        using var folder = new TempFolder();
        string run = TinyRun.Completed(folder.Path, "run", 2, "--sv-every", "10");
        var resumed = RawGanCli.Run("train", "--resume", run, "--steps", "3");
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.ToString());
        Assert.That(resumed.Out, Does.Not.Contain("sv trace: off"));
        Assert.That(resumed.Out, Does.Contain("sv trace: every 10 steps"));
    }
}
