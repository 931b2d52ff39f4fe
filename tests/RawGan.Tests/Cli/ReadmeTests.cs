using System.Diagnostics;
using System.Text.RegularExpressions;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>The README's commands: one form (`rawgan …`, installed as a .NET tool) outside the Quick start, each a real command.</summary>
public class ReadmeTests
{
    private static string[] Readme => File.ReadAllLines(Path.Combine(RepoRoot.Path, "README.md"));

    /// <summary>Lines inside ``` blocks, with the section (## heading) each is in.</summary>
    private static IEnumerable<(string Section, string Line)> CodeLines()
    {
        string section = "";
        bool inCode = false;
        foreach (var line in Readme)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal)) section = line[3..];
            if (line.StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            else if (inCode) yield return (section, line);
        }
    }

    [Test]
    public void OutsideTheQuickStartEveryCommandIsTheInstalledRawgan()
    {
        var runForm = CodeLines().Where(x => x.Section != "Quick start" && x.Line.Contains("--project src/Cli", StringComparison.Ordinal)).ToList();
        Assert.That(runForm, Is.Empty, "dotnet run --project src/Cli outside the Quick start");
        Assert.That(string.Join('\n', Readme), Does.Contain("dotnet tool install --global --add-source artifacts/tool RawGan.Cli"), "how rawgan gets on the PATH");

        var commands = CodeLines().Select(x => Regex.Match(x.Line, @"^rawgan ([a-z-]+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.That(commands, Does.Contain("train").And.Contain("eval"));
        foreach (var command in commands)
            Assert.That(RawGanCli.Run(command, "--help").ExitCode, Is.EqualTo(0), $"README runs `rawgan {command}`, which is no command");
    }

    [Test]
    public void TheSvCsvColumnsSayWhySnEstimateIsNaNAtStepZero()
    {
        string text = string.Join(' ', Readme);
        Assert.That(text, Does.Match(@"`sn_estimate` is NaN at step 0"));
    }

    [Test]
    [Category("Slow")]
    public void TheCliInstallsAsTheDotnetToolRawgan()
    {
        using var folder = new TempFolder();
        string feed = folder.File("feed"), tools = folder.File("tools");
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        Dotnet("pack", Path.Combine(RepoRoot.Path, "src", "Cli"), "-c", testBin.Parent!.Name, "--no-build", "-o", feed);
        // Only the local feed: the tool package carries everything it needs.
        File.WriteAllText(folder.File("nuget.config"),
            $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        Dotnet("tool", "install", "RawGan.Cli", "--tool-path", tools, "--configfile", folder.File("nuget.config"));
        var (code, output) = Exec(Path.Combine(tools, OperatingSystem.IsWindows() ? "rawgan.exe" : "rawgan"), "--help");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("train").And.Contain("sample"));
    }

    private static void Dotnet(params string[] args)
    {
        var (code, output) = Exec("dotnet", args);
        Assert.That(code, Is.EqualTo(0), $"dotnet {string.Join(' ', args)}\n{output}");
    }

    private static (int Code, string Output) Exec(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
