using System.Text.RegularExpressions;
using RawGan.Kernels.Cuda;
using RawGan.Tests.Cuda;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>"CUDA unavailable … running on the CPU" is said once, and only where a device is being chosen.</summary>
public class CudaNoticeTests
{
    [Test]
    public void InfoDoesNotClaimToRunOnTheCpu()
    {
        var info = RawGanCli.Run("info");
        Assert.That(info.ExitCode, Is.EqualTo(0), info.ToString());
        Assert.That(info.All, Does.Not.Contain("running on the CPU"));
    }

    [Test]
    public void TrainingOnTheAutomaticDeviceSaysOnceWhereItRuns()
    {
        if (CudaProbe.Availability.IsAvailable) Assert.Ignore("This machine has a GPU.");
        using var folder = new TempFolder();
        var result = RawGanCli.Run(TinyRun.Train(folder.Path, "run", 1, "--device", "auto"));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.All.Split("running on the CPU").Length - 1, Is.EqualTo(1), result.ToString());
    }

    [Test]
    public void SkippedCudaTestsGiveTheirReasonOnce()
    {
        if (CudaProbe.Availability.IsAvailable) Assert.Ignore("This machine has a GPU: the Cuda tests run.");
        // This test assembly, run again on one Cuda fixture of several tests: the CI log shows each skipped test.
        using var tests = RawGanCli.StartBuilt(Path.Combine("tests", "RawGan.Tests"), "RawGan.Tests.dll", ["--filter", "FullyQualifiedName~RandomCudaTests"]);
        var stderr = tests.StandardError.ReadToEndAsync();
        string stdout = tests.StandardOutput.ReadToEnd();
        Assert.That(tests.WaitForExit(120_000), Is.True);
        // Colour codes, should a terminal setting reach the child, are not part of what is checked.
        string all = Regex.Replace(stdout + stderr.Result, @"\x1b\[[0-9;]*[A-Za-z]", "");
        TestContext.Out.WriteLine(all);
        var lines = all.Split('\n');
        var skipped = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("skipped ", StringComparison.Ordinal)).Select(x => x.i).ToList();
        Assert.That(skipped, Has.Count.GreaterThan(2), $"the fixture's tests are reported as skipped:\n{all}");
        // The reason's words come from this process's probe, which need not say what the child's said (a driver can
        // answer cuInit differently on a later call), so the fixed note that ends the reason is looked for.
        var reasons = lines.Where(l => l.Contains(CudaTestBase.SkipNote, StringComparison.Ordinal)).ToList();
        Assert.That(reasons, Is.Not.Empty, $"the reason is given:\n{all}");
        Assert.That(reasons, Has.All.Contains("CUDA unavailable: "), $"the probe's reason on the same line:\n{all}");
        Assert.That(lines[skipped[0]..skipped[1]].Any(l => l.Contains(CudaTestBase.SkipNote, StringComparison.Ordinal)), Is.True,
            $"by the first skipped test:\n{all}");
        // The first test's reason is printed at most three times (the adapter's line, the message, its standard output).
        Assert.That(reasons, Has.Count.LessThanOrEqualTo(3), $"and by no other:\n{all}");
        for (int i = 1; i + 1 < skipped.Count; i++)
            Assert.That(skipped[i + 1] - skipped[i], Is.LessThanOrEqualTo(2), $"the others take a line or two each:\n{all}");
    }
}
