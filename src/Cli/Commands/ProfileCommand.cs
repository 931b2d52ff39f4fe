using System.CommandLine;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan profile`: `rawgan train`'s model, data, optimiser and device options and action, always profiling
/// (see <see cref="ProfileOptions"/>); the options about a long run (steps, resume, logs, samples, checkpoints,
/// σ tracing, collapse handling, evaluation) are left out.
/// </summary>
internal static class ProfileCommand
{
    public const string Name = "profile";

    private static readonly string[] LongRunOptions =
        [
            "--steps", "--resume", "--log-every", "--sample-every", "--checkpoint-every", "--keep", "--sv-every", "--on-collapse", "--max-rollbacks",
            "--features", "--classifier", "--inception-weights", "--real-split", "--real-samples",
        ];

    private static readonly string[] LongRunPrefixes = ["--collapse-", "--eval-"];

    public static Command Create()
    {
        var train = TrainCommand.Create();
        var cmd = new Command(Name,
            "Time one training step per op: warm-up steps, then --profile-steps measured steps of `rawgan train`'s step with the same " +
            "options. Prints a table per op and pass (calls, ms, % of the step, achieved TFLOP/s and GB/s) and writes profile.json and " +
            "profile-trace.json (Chrome trace events; Perfetto opens it) into a run folder. CPU ops are timed by a stopwatch, CUDA ops " +
            "by events read after each step; profiled steps run eagerly (no CUDA graph).");
        foreach (var option in train.Options.Where(o => !LongRunOptions.Contains(o.Name) && !LongRunPrefixes.Any(o.Name.StartsWith)))
            cmd.Options.Add(option);
        cmd.Action = train.Action;
        return cmd;
    }
}
