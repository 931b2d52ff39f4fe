using System.CommandLine;
using RawGan.Engine;
using RawGan.Engine.Profiling;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// Profiling flags of `rawgan train` (`--profile-steps N` profiles instead of training) and of `rawgan profile`
/// (which takes train's model, data and device options and always profiles).
/// </summary>
internal sealed class ProfileOptions
{
    /// <summary>Measured steps of `rawgan profile` unless --profile-steps says otherwise.</summary>
    public const int DefaultSteps = 3;

    /// <summary>Unmeasured steps first (allocation pools, JIT, cuBLAS handles warm up).</summary>
    public const int DefaultWarmup = 2;

    private readonly Option<int?> _steps = new("--profile-steps")
    {
        Description = $"Profile this many training steps instead of training (rawgan profile: default {DefaultSteps}): a table per op and pass, " +
                      "profile.json and a Chrome trace (profile-trace.json, opens in Perfetto) in the run folder. Profiled steps run eagerly (no CUDA graph).",
    };

    private readonly Option<int> _warmup = new("--profile-warmup")
    {
        Description = "Unmeasured training steps before the profiled ones.",
        DefaultValueFactory = _ => DefaultWarmup,
    };

    private readonly Option<bool> _cpuTime = new("--profile-cpu-time")
    {
        Description = "Time the CPU backend by the process's CPU time instead of the wall clock (Linux): on a machine shared with other work, " +
                      "wall time also counts the waits for a core.",
    };

    /// <summary>Every flag, to add to the command.</summary>
    public IEnumerable<Option> All => [_steps, _warmup, _cpuTime];

    /// <summary>True for `rawgan profile`, and for `rawgan train --profile-steps N` with N &gt; 0.</summary>
    public bool IsRequested(ParseResult r) => IsProfileCommand(r) || r.GetValue(_steps) > 0;

    /// <summary>Profiles the configuration's training step on <paramref name="device"/>; writes the files into <paramref name="run"/>.</summary>
    public int Run(ParseResult r, RunConfig config, RunFolder run, Device device)
    {
        int steps = r.GetValue(_steps) ?? DefaultSteps, warmup = r.GetValue(_warmup);
        if (steps < 1) throw new ArgumentOutOfRangeException("--profile-steps", steps, "--profile-steps must be at least 1.");
        if (warmup < 0) throw new ArgumentOutOfRangeException("--profile-warmup", warmup, "--profile-warmup must be ≥ 0.");
        // Only now, with the flags checked: a profile that fails on its flags leaves no folder, as train does.
        CreateFolder(run);
        File.WriteAllText(run.ConfigPath, config.ToJson());
        bool cpuTime = r.GetValue(_cpuTime);
        var results = StepProfiling.Run(config, device, warmup, steps, Console.WriteLine, cpuTime);
        Console.WriteLine();
        ProfileTable.Write(Console.Out, results);
        string json = Path.Combine(run.Path, "profile.json"), trace = Path.Combine(run.Path, "profile-trace.json");
        ProfileFiles.WriteJson(json, results, StepProfiling.Describe(config, device, warmup, cpuTime));
        ProfileFiles.WriteChromeTrace(trace, results, device.Name);
        Console.WriteLine($"Profile: {json}; trace: {trace} (open in https://ui.perfetto.dev).");
        return 0;
    }

    private static void CreateFolder(RunFolder run)
    {
        try
        {
            Directory.CreateDirectory(run.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create the run folder {run.Path} ({e.Message}); choose a writable folder (--runs).", e);
        }
    }

    private static bool IsProfileCommand(ParseResult r) => r.CommandResult.Command.Name == ProfileCommand.Name;
}
