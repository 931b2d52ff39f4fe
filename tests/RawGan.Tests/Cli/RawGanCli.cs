using System.Diagnostics;
using System.Runtime.InteropServices;
using RawGan.Cli.Commands;

namespace RawGan.Tests.Cli;

/// <summary>What a `rawgan` command line did: its exit code and what it wrote to stdout and stderr.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>stdout and stderr together, for messages that may go to either.</summary>
    public string All => Out + Error;

    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the `rawgan` command line: in this process through the CLI's real entry point (stdout and stderr
/// captured), or as a child process from the CLI's build output (for signals).
/// </summary>
internal static class RawGanCli
{
    private static readonly object ConsoleGate = new();

    /// <summary>Runs `rawgan args...` in this process.</summary>
    public static CliResult Run(params string[] args)
    {
        var entry = typeof(CliInvocation).Assembly.EntryPoint ?? throw new InvalidOperationException("rawgan has no entry point.");
        lock (ConsoleGate)
        {
            var (stdout, stderr) = (Console.Out, Console.Error);
            using var capturedOut = new StringWriter();
            using var capturedError = new StringWriter();
            Console.SetOut(capturedOut);
            Console.SetError(capturedError);
            int code;
            try
            {
                code = (int)entry.Invoke(null, [args])!;
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
            var result = new CliResult(code, capturedOut.ToString(), capturedError.ToString());
            TestContext.Out.WriteLine($"rawgan {string.Join(' ', args)}\n{result}");
            return result;
        }
    }

    /// <summary>Starts `rawgan args...` as a child process (stdout and stderr redirected) from the CLI's build output.</summary>
    public static Process Start(params string[] args) => StartBuilt(Path.Combine("src", "Cli"), "rawgan.dll", args);

    /// <summary>Starts a built .NET program of this repository (same configuration as the tests) with the dotnet host.</summary>
    public static Process StartBuilt(string projectFolder, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(RepoRoot.Path, projectFolder, "bin", testBin.Parent!.Name, testBin.Name, dll);
        Assert.That(File.Exists(path), Is.True, $"{path} is not built");
        var info = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(path);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>The dotnet host of the runtime running the tests.</summary>
    private static string DotnetHost =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
}
