using System.Text.Json;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>`rawgan profile` and `rawgan train --profile-steps N` from the command line: a new run folder with the table's files.</summary>
public class ProfileCommandTests
{
    private static string[] Profile(string command, string runs, string name, params string[] more) =>
        [command, .. TinyRun.Model, "--data", "synthetic", "--device", "cpu", "--runs", runs, "--name", name, "--profile-warmup", "0", .. more];

    [TestCase("profile")]
    [TestCase("train")]
    public void ProfilingCreatesTheRunFolderAndWritesTheTableAndBothFiles(string command)
    {
        using var folder = new TempFolder();
        var result = RawGanCli.Run(Profile(command, folder.Path, "p", "--profile-steps", "1"));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        string run = Path.Combine(folder.Path, "p");
        Assert.That(result.Out, Does.Contain("1 measured step(s)").And.Contain("other / untracked").And.Contain("Conv2d"));
        foreach (var file in new[] { "config.json", "profile.json", "profile-trace.json" })
            Assert.That(File.Exists(Path.Combine(run, file)), Is.True, file);
        using var trace = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "profile-trace.json")));
        Assert.That(trace.RootElement.ValueKind, Is.Not.EqualTo(JsonValueKind.Undefined));
    }

    [Test]
    public void AProfileThatFailsOnItsFlagsLeavesNoFolder()
    {
        using var folder = new TempFolder();
        var result = RawGanCli.Run(Profile("profile", folder.Path, "p", "--profile-steps", "0"));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "p")), Is.False);
    }
}
