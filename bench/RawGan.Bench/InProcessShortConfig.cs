using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RawGan.Bench;

/// <summary>
/// Short in-process runs: no project is generated or built, so the benchmarks also run from a self-contained
/// publish on a machine without the SDK. Reports (GitHub markdown, CSV, JSON) go to bench/results/BenchmarkDotNet/results/
/// of the repository (or ./bench-results outside one; BenchmarkDotNet's --artifacts overrides), with a GFLOP/s column.
/// </summary>
public sealed class InProcessShortConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public InProcessShortConfig()
    {
        AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortInProcess"));
        // The default configuration the switcher merges in already exports GitHub markdown, CSV and HTML.
        AddExporter(JsonExporter.Full);
        AddColumn(new GflopsColumn(fromMinimum: false), new GflopsColumn(fromMinimum: true));
        ArtifactsPath = ResultsFolder();
    }

    private static string ResultsFolder()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RawGan.sln")))
                return Path.Combine(dir.FullName, "bench", "results", "BenchmarkDotNet");
        return Path.Combine(Environment.CurrentDirectory, "bench-results");
    }
}
