namespace RawGan.Cli.Commands;

/// <summary>rawgan's exit codes, listed at the end of every command's --help and in the README.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>Bad usage or input: the one-line message says what to fix.</summary>
    public const int UsageOrInput = 2;

    /// <summary>Training diverged (a loss became NaN or infinite).</summary>
    public const int Diverged = 3;

    /// <summary>Training collapsed and --on-collapse is stop or rollback.</summary>
    public const int Collapsed = 4;

    /// <summary>Stopped by Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + SIGTERM).</summary>
    public const int Terminated = 143;

    /// <summary>Every code with its meaning, in the words of --help and the README.</summary>
    public static IReadOnlyList<(int Code, string Meaning)> All { get; } =
    [
        (Success, "done: trained to --steps, or the command finished"),
        (UsageOrInput, "bad usage or input (flags, data, checkpoint); the message says what to fix"),
        (Diverged, "train: a loss became NaN or infinite; the last good checkpoint is kept"),
        (Collapsed, "train: collapse with --on-collapse stop or rollback; see result.txt"),
        (Interrupted, "stopped by Ctrl-C (SIGINT) after keeping the work done (a checkpoint)"),
        (Terminated, "stopped by SIGTERM (docker stop, systemd, Slurm), as Ctrl-C"),
    ];

    /// <summary>The block --help ends with.</summary>
    public static string Help => "Exit codes:\n" + string.Join('\n', All.Select(x => $"  {x.Code,-5}{x.Meaning}")) + "\n";
}
