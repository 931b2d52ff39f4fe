using System.Text.Json;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RawGan.Bench;

/// <summary>Runs the benchmarks the arguments select, checks that they ran, and writes the machine-readable results.</summary>
public static class BenchRun
{
    /// <summary>The results file bench/compare.py reads, in the reports folder.</summary>
    public const string ResultsFile = "rawgan-results.json";

    /// <summary>Returns the process exit code: 0 when every selected benchmark produced a result.</summary>
    public static int Run(string[] args)
    {
        // The devices are resolved here, before BenchmarkDotNet reaches them by reflection (which would wrap the error).
        try
        {
            _ = BenchCases.Devices;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"RawGan.Bench: {e.Message}");
            return 2;
        }
        if (args.Any(a => a is "--list" or "--help" or "-h" or "--info" or "--version"))
        {
            BenchmarkSwitcher.FromAssembly(typeof(BenchRun).Assembly).Run(args);
            return 0;
        }
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchRun).Assembly).Run(args).ToList();
        var reports = summaries.SelectMany(s => s.Reports).ToList();
        var measured = reports.Where(r => r.Success && r.ResultStatistics is not null).ToList();
        if (measured.Count == 0)
        {
            Console.Error.WriteLine("RawGan.Bench: no benchmark produced a result (check the --filter pattern and the errors above).");
            return 1;
        }
        string folder = summaries.First(s => s.Reports.Length > 0).ResultsDirectoryPath;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, ResultsFile);
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            machine = Environment.MachineName,
            processors = Environment.ProcessorCount,
            devices = BenchCases.Devices,
            results = measured.Select(Record).ToList(),
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"RawGan.Bench: {measured.Count} results in {path}");
        var failed = reports.Except(measured).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
        if (summaries.Any(s => s.HasCriticalValidationErrors)) failed.Add("(validation errors)");
        if (failed.Count == 0) return 0;
        Console.Error.WriteLine($"RawGan.Bench: {failed.Count} benchmark(s) failed: {string.Join("; ", failed)}");
        return 1;
    }

    private static object Record(BenchmarkReport report)
    {
        var benchmarkCase = report.BenchmarkCase;
        var method = benchmarkCase.Descriptor.WorkloadMethod;
        string caseName = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Case")?.Value as string ?? "";
        var stats = report.ResultStatistics!;
        var memory = StepMemory.Of($"{benchmarkCase.Descriptor.Type.Name}.{method.Name}", caseName);
        return new
        {
            key = $"{benchmarkCase.Descriptor.Type.Name}.{method.Name}[{caseName}]",
            benchmark = $"{benchmarkCase.Descriptor.Type.Name}.{method.Name}",
            @case = caseName,
            device = BenchCases.DeviceOf(caseName),
            min_ns = stats.Min,
            mean_ns = stats.Mean,
            median_ns = stats.Median,
            flops = (method.GetCustomAttributes(typeof(FlopsAttribute), false).FirstOrDefault() as FlopsAttribute)?.Count,
            bytes = BytesAttribute.Of(benchmarkCase),
            floor_bytes = BytesAttribute.FloorOf(benchmarkCase),
            peak_bytes = memory?.PeakBytes,
            allocations = memory?.Allocations,
            allocated_bytes = memory?.AllocatedBytes,
        };
    }
}
