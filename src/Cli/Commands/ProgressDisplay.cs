using RawGan.Model.Training;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>
/// Shows training progress: a Spectre.Console progress bar with step, images/s, ETA and the latest losses on a
/// terminal; plain lines (one per logged step) when the output is redirected or not interactive.
/// </summary>
internal static class ProgressDisplay
{
    public static TrainingResult Run(long totalSteps, Func<ITrainingObserver, TrainingResult> session)
    {
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive) return session(new PlainObserver());
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: totalSteps);
                result = session(new BarObserver(task));
            });
        return result!;
    }

    private static string Describe(LogEntry e) =>
        $"step {e.Step}  D real {e.DLossReal:F3} fake {e.DLossFake:F3}  G {e.GLoss:F3}  {e.ImagesPerSecond:F1} img/s";

    private sealed class PlainObserver : ITrainingObserver
    {
        private long _from, _to;

        public void Started(long fromStep, long toStep)
        {
            (_from, _to) = (fromStep, toStep);
            Console.WriteLine($"Training steps {fromStep + 1} to {toStep}.");
        }

        public void Logged(LogEntry e)
        {
            double perStep = e.Seconds / Math.Max(1, e.Step - _from);
            var eta = TimeSpan.FromSeconds(perStep * (_to - e.Step));
            Console.WriteLine($"{Describe(e)}  ETA {eta:hh\\:mm\\:ss}");
        }

        public void Message(string text) => Console.WriteLine(text);
    }

    private sealed class BarObserver(ProgressTask task) : ITrainingObserver
    {
        public void Started(long fromStep, long toStep)
        {
            task.MaxValue = toStep;
            task.Value = fromStep;
            task.Description = $"step {fromStep}/{toStep}";
        }

        public void Logged(LogEntry e)
        {
            task.Value = e.Step;
            task.Description = Markup.Escape(Describe(e));
        }

        public void Message(string text) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
    }
}
