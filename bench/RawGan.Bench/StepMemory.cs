using System.Collections.Concurrent;
using RawGan.Engine;

namespace RawGan.Bench;

/// <summary>
/// Device memory of one benchmark invocation, from the backend's allocator statistics (<see cref="IBackend.Memory"/>):
/// the peak bytes held (persistent state included, as <c>torch.cuda.max_memory_allocated</c> after
/// <c>reset_peak_memory_stats</c> counts them) and the storages allocated, the largest over all invocations. BenchRun
/// writes them beside the times (peak_bytes, allocations, allocated_bytes) for bench/compare.py's memory table.
/// </summary>
public static class StepMemory
{
    private static readonly ConcurrentDictionary<string, Figures> Measured = new();

    /// <summary>Peak bytes, storages allocated and bytes allocated in one invocation.</summary>
    public readonly record struct Figures(long PeakBytes, long Allocations, long AllocatedBytes);

    /// <summary>Runs <paramref name="work"/> with the backend's peak reset, and records its figures under the benchmark's key.</summary>
    public static void Measure(string benchmark, string benchCase, Device device, Action work)
    {
        var memory = device.Backend.Memory;
        memory.ResetPeak();
        work();
        var now = new Figures(memory.PeakBytes, memory.Allocations, memory.AllocatedBytes);
        Measured.AddOrUpdate(Key(benchmark, benchCase), now, (_, before) => new Figures(
            Math.Max(before.PeakBytes, now.PeakBytes), Math.Max(before.Allocations, now.Allocations), Math.Max(before.AllocatedBytes, now.AllocatedBytes)));
    }

    /// <summary>The figures recorded for a benchmark case, if it measured any.</summary>
    public static Figures? Of(string benchmark, string benchCase) => Measured.TryGetValue(Key(benchmark, benchCase), out var f) ? f : null;

    private static string Key(string benchmark, string benchCase) => $"{benchmark}[{benchCase}]";

    /// <summary>
    /// Runs three training steps of each TrainStepBench case (all of this run's cases when none are named) and prints
    /// the largest peak and allocation counts: the memory figures alone, in minutes where BenchmarkDotNet's timed
    /// iterations of a CPU step take far longer.
    /// </summary>
    public static int Report(string[] cases)
    {
        foreach (var benchCase in cases.Length > 0 ? cases : TrainStepBench.Cases())
        {
            var bench = new TrainStepBench { Case = benchCase };
            bench.Setup();
            for (int step = 0; step < 3; step++) bench.TrainStep();
            bench.Cleanup();
            var f = Of("TrainStepBench.TrainStep", benchCase)!.Value;
            Console.WriteLine(FormattableString.Invariant(
                $"{benchCase}: peak {f.PeakBytes / 1e6:F1} MB, {f.Allocations} allocations ({f.AllocatedBytes / 1e6:F1} MB) per step"));
        }
        return 0;
    }
}
