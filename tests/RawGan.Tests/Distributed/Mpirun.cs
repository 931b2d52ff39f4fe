using System.Diagnostics;
using System.Text;

namespace RawGan.Tests.Distributed;

/// <summary>
/// Starts `mpirun -n N rawgan …` for the end-to-end tests: OpenMPI's mpirun from PATH (CI installs openmpi-bin) and
/// the rawgan command built beside these tests. Without either the calling test is reported as skipped.
/// </summary>
internal sealed class Mpirun : IDisposable
{
    // Root is allowed (CI runs as root), more ranks than cores too; no cross-memory attach (containers often forbid ptrace).
    private static readonly string[] Flags = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private Mpirun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the job wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>mpirun's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>mpirun -n <paramref name="ranks"/> [mpirunFlags] rawgan args</c>.</summary>
    public static Mpirun Start(int ranks, IEnumerable<string> rawganArgs, IEnumerable<string>? mpirunFlags = null)
    {
        var mpirun = FindOnPath("mpirun") ?? Ignore("mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev); CI installs it.");
        var start = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Flags.Concat(mpirunFlags ?? []).Concat(["-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), Rawgan]).Concat(rawganArgs))
            start.ArgumentList.Add(a);
        return new Mpirun(Process.Start(start)!);
    }

    /// <summary>The rawgan command built with these tests (src/Cli/bin/&lt;configuration&gt;/&lt;framework&gt;/rawgan).</summary>
    public static string Rawgan
    {
        get
        {
            // The tests run from tests/RawGan.Tests/bin/<configuration>/<framework>/.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(RepoRoot.Path, "src", "Cli", "bin", framework.Parent!.Name, framework.Name, "rawgan");
            return File.Exists(path) ? path : Ignore($"The rawgan command is not built at {path}.");
        }
    }

    /// <summary>Waits for the job to end; returns mpirun's exit code.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit)) Assert.Fail($"mpirun did not finish within {limit.TotalSeconds} s. Output:\n{Output}");
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing after <paramref name="limit"/> or when the job ends first.</summary>
    public void WaitUntil(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited) Assert.Fail($"The job ended (exit {_process.ExitCode}) before {what}. Output:\n{Output}");
            if (clock.Elapsed > limit) Assert.Fail($"No {what} within {limit.TotalSeconds} s. Output:\n{Output}");
            Thread.Sleep(200);
        }
    }

    /// <summary>The process id of rank <paramref name="rank"/> (a child of mpirun whose OMPI_COMM_WORLD_RANK says so).</summary>
    public int RankProcess(int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent != Id) continue;
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        Assert.Fail($"No process of rank {rank} under mpirun {Id}.");
        return 0;
    }

    /// <summary>Ends the job if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string Ignore(string reason)
    {
        Assert.Ignore(reason);
        return "";
    }
}
