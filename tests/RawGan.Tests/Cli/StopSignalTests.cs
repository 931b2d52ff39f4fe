using System.Diagnostics;
using System.Text;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (what docker stop, systemd and Slurm send) both end `rawgan train` after the step
/// in progress with a checkpoint; the exit code says which signal it was (128 + the signal's number).
/// </summary>
[Platform(Exclude = "Win", Reason = "POSIX signals")]
public class StopSignalTests
{
    [TestCase("TERM", 143)]
    [TestCase("INT", 130)]
    [Category("Slow")]
    public void ASignalStopsTrainingAfterACheckpoint(string signal, int exitCode)
    {
        using var folder = new TempFolder();
        using var process = RawGanCli.Start(TinyRun.Train(folder.Path, "run", 1_000_000, "--checkpoint-every", "0"));
        var output = new StringBuilder();
        var firstStep = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (e.Data.StartsWith("step ", StringComparison.Ordinal)) firstStep.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (output) output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Assert.That(firstStep.Task.Wait(TimeSpan.FromSeconds(120)), Is.True, () => $"no step was logged:\n{output}");
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                kill.WaitForExit();
            Assert.That(process.WaitForExit(120_000), Is.True, () => $"still running after SIG{signal}:\n{output}");
            process.WaitForExit(); // drains the output readers
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        TestContext.Out.WriteLine(output);
        Assert.That(process.ExitCode, Is.EqualTo(exitCode), output.ToString);
        Assert.That(TinyRun.Checkpoints(Path.Combine(folder.Path, "run")), Has.Length.EqualTo(1), "the step in progress ends with a checkpoint");
        Assert.That(output.ToString(), Does.Contain("SIG" + signal));
    }

    [Test]
    public void TrainHelpAndTheReadmeListTheSameExitCodes()
    {
        var help = RawGanCli.Run("train", "--help");
        Assert.That(help.ExitCode, Is.EqualTo(0));
        var fromHelp = ExitCodeLines(help.Out.Split('\n').SkipWhile(l => !l.Contains("Exit codes", StringComparison.Ordinal)).Skip(1)
                                         .TakeWhile(l => l.Trim().Length > 0), @"^\s+(\d+)\s+(.+?)\s*$");
        var readmeTable = File.ReadLines(Path.Combine(RepoRoot.Path, "README.md")).SkipWhile(l => !l.StartsWith("| exit code |", StringComparison.Ordinal))
                              .TakeWhile(l => l.StartsWith('|'));
        var fromReadme = ExitCodeLines(readmeTable, @"^\| (\d+) \| (.+?) \|$");
        Assert.That(fromHelp.Keys, Is.EquivalentTo(new[] { 0, 2, 3, 4, 130, 143 }), help.Out);
        Assert.That(fromReadme, Is.EqualTo(fromHelp), "the README's exit-code table is train --help's");
    }

    private static Dictionary<int, string> ExitCodeLines(IEnumerable<string> lines, string pattern) =>
        lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, pattern)).Where(m => m.Success)
             .ToDictionary(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => m.Groups[2].Value);
}
