using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>
/// Progress of long non-training work (classifier training, scoring samples): a Spectre.Console bar on a terminal,
/// plain lines (at most one per 5% of the work) when the output is redirected.
/// </summary>
internal static class WorkProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports (done, total, description) as it goes.</summary>
    public static void Run(string title, Action<Action<long, long, string>> work)
    {
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
        {
            long lastBucket = -1;
            work((done, total, text) =>
            {
                long bucket = total > 0 ? done * 20 / total : 0;
                if (bucket == lastBucket) return;
                lastBucket = bucket;
                Console.WriteLine($"{title}: {text}");
            });
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                work((done, total, text) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    task.Description = Markup.Escape(text);
                });
            });
    }
}
