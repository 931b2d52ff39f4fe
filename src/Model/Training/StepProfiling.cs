using System.Diagnostics;
using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.Profiling;
using RawGan.Model.Data;

namespace RawGan.Model.Training;

/// <summary>
/// `rawgan profile`: builds exactly what `rawgan train` trains (G, D, G_ema, the trainer and the data loader of a
/// <see cref="RunConfig"/>), runs warm-up steps, then measures steps of the real <see cref="GanTrainer{TG,TD}.TrainStep"/>
/// under a <see cref="Profiler"/>.
/// </summary>
public static class StepProfiling
{
    /// <summary>Runs <paramref name="warmupSteps"/> unmeasured steps, then <paramref name="steps"/> profiled ones; reports each step's time.</summary>
    /// <param name="cpuTime">Time by the process's CPU time, not the wall clock (CPU backend on Linux; see <see cref="Profiler(Device, bool)"/>).</param>
    public static ProfileResults Run(RunConfig config, Device device, int warmupSteps, int steps, Action<string> progress, bool cpuTime = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        config.Model.Validate();
        config.Training.Validate();
        var dataset = TrainingSession.OpenDataset(config, progress);
        TrainingSession.CheckDataMatchesModel(dataset, config.Model);
        var clock = Stopwatch.StartNew();
        using var trainer = TrainingSession.CreateTrainer(config, device);
        trainer.CudaGraphs = false; // per-op times need each op launched on its own: a replayed graph has no op boundaries
        progress(Say($"Built G, D and G_ema in {clock.Elapsed.TotalSeconds:F1} s."));
        using var loader = new DataLoader(dataset, config.Training.BatchSize, config.DataSeed, device);
        // The step's real batches as training reads them: all of a step's, before it.
        using var batches = new StepBatches(loader, config.Training.DStepsPerGStep * config.Training.DAccumulations, config.Model.DType);
        for (int i = 1; i <= warmupSteps; i++)
        {
            clock.Restart();
            batches.Fetch();
            trainer.TrainStep(batches);
            progress(Say($"Warm-up step {i}/{warmupSteps}: {clock.Elapsed.TotalMilliseconds:F0} ms"));
        }
        using var profiler = new Profiler(device, cpuTime);
        for (int i = 1; i <= steps; i++)
        {
            clock.Restart();
            using (profiler.Step())
            {
                batches.Fetch();
                trainer.TrainStep(batches);
            }
            progress(Say($"Profiled step {i}/{steps}: {profiler.Results.StepMilliseconds[^1]:F0} ms{(cpuTime ? " of CPU time" : "")} ({clock.Elapsed.TotalMilliseconds:F0} ms on the wall with reading the clock)"));
        }
        return profiler.Results;
    }

    /// <summary>What was profiled, for profile.json.</summary>
    public static Dictionary<string, string> Describe(RunConfig config, Device device, int warmupSteps, bool cpuTime = false) => new()
    {
        ["device"] = device.Name,
        ["clock"] = cpuTime ? "process CPU time" : "wall",
        ["preset_resolution"] = config.Model.Resolution.ToString(CultureInfo.InvariantCulture),
        ["ch"] = config.Model.Ch.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = config.Training.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["d_steps"] = config.Training.DStepsPerGStep.ToString(CultureInfo.InvariantCulture),
        ["data"] = config.Data,
        ["warmup_steps"] = warmupSteps.ToString(CultureInfo.InvariantCulture),
        ["processors"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        ["date"] = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
        ["config"] = config.ToJson(),
    };

    private static string Say(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
