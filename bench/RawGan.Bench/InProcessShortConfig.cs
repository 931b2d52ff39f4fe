using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RawGan.Bench;

/// <summary>
/// Short in-process runs: no project is generated or built, so the benchmarks also run from a self-contained
/// publish on a machine without the SDK. Reports (GitHub markdown, CSV, JSON) go to bench/results/BenchmarkDotNet/results/
/// of the repository (or ./bench-results outside one; BenchmarkDotNet's --artifacts overrides), with GFLOP/s and GB/s columns.
/// </summary>
public sealed class InProcessShortConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public InProcessShortConfig()
    {
        // The in-process executor stops a benchmark whose setup and iterations together pass its timeout (5 minutes by
        // default), which the whole-model benches (SvTraceBench's 50 training steps of setup) do on a loaded 2-core VM.
        var toolchain = new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true);
        var job = Job.ShortRun.WithToolchain(toolchain).WithId("ShortInProcess");
        // RAWGAN_BENCH_ITERATION_MS shortens each iteration (BenchmarkDotNet's default aims at 500 ms) where a run
        // must fit a time budget, as tools/gpu-check.sh on a GPU server.
        if (int.TryParse(Environment.GetEnvironmentVariable("RAWGAN_BENCH_ITERATION_MS"), out int ms) && ms > 0)
            job = job.WithIterationTime(TimeInterval.FromMilliseconds(ms));
        AddJob(job);
        // The default configuration the switcher merges in already exports GitHub markdown and CSV (and HTML).
        AddExporter(JsonExporter.Full);
        AddColumn(new GflopsColumn(fromMinimum: false), new GflopsColumn(fromMinimum: true), new BandwidthColumn());
        ArtifactsPath = ResultsFolder();
    }

    private static string ResultsFolder()
    {
        // A [Config] attribute's artifacts path wins over the command line's, so honour --artifacts here.
        var args = Environment.GetCommandLineArgs();
        int at = Array.IndexOf(args, "--artifacts");
        if (at >= 0 && at + 1 < args.Length) return Path.GetFullPath(args[at + 1]);
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawGan.sln")))
                return Path.Combine(dir.FullName, "bench", "results", "BenchmarkDotNet");
        return Path.Combine(Environment.CurrentDirectory, "bench-results");
    }
}
