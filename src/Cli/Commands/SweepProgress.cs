using RawGan.Model.Sweep;
using RawGan.Model.Training;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>
/// Progress of a sweep: on a terminal two Spectre.Console bars, the whole grid (in training steps, with ETA) and the
/// run in progress; plain lines (run started, every tenth of its steps, scores) when the output is redirected.
/// </summary>
internal static class SweepProgress
{
    public static T Run<T>(Func<ISweepObserver, T> sweep)
    {
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive) return sweep(new Observer(null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = sweep(new Observer(ctx)));
        return result;
    }

    private static string Scores(SweepResult r) => r.Scores.Count == 0
        ? "no checkpoint to score"
        : string.Join("; ", r.Scores.Select(s => $"truncation {Model.Metrics.EvalRecord.FormatTruncation(s.Truncation)}: IS {s.Is:F3}, FID {s.Fid:F2}"));

    private sealed class Observer(ProgressContext? context) : ISweepObserver
    {
        private ProgressTask? _grid, _run;
        private int _runs, _finished;
        private long _gridBefore; // grid steps done before the run in progress

        public void Planned(int runs, int finished, long totalSteps, long finishedSteps)
        {
            (_runs, _finished, _gridBefore) = (runs, finished, finishedSteps);
            Say($"{runs} runs, {finished} finished before; {totalSteps - finishedSteps} training steps to go.");
            if (context is null) return;
            _grid = context.AddTask("grid", maxValue: Math.Max(1, totalSteps));
            _grid.Value = finishedSteps;
            _run = context.AddTask("run", maxValue: 1);
        }

        public ITrainingObserver RunStarted(SweepCell cell, ulong seed, string folder)
        {
            string title = $"run {_finished + 1}/{_runs}: cell {cell.Index} ({cell.Label}), seed {seed}";
            if (_grid is not null) _grid.Description = Markup.Escape($"grid: {title}");
            else Console.WriteLine($"{title} in {folder}");
            return new RunObserver(this, _run);
        }

        public void Scoring(SweepCell cell, ulong seed, double? truncation)
        {
            if (_run is not null) _run.Description = Markup.Escape($"scoring at truncation {Model.Metrics.EvalRecord.FormatTruncation(truncation)}");
        }

        public void RunFinished(SweepResult result)
        {
            _finished++;
            _gridBefore += result.Step;
            if (_grid is not null) _grid.Value = _gridBefore;
            Say($"cell {result.Cell} ({result.Label}), seed {result.Seed}: {result.Outcome.ToString().ToLowerInvariant()} at step {result.Step} " +
                $"in {result.TrainSeconds:F0} s; {Scores(result)}");
        }

        private void Say(string text)
        {
            if (context is null) Console.WriteLine(text);
            else AnsiConsole.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
        }

        private sealed class RunObserver(Observer sweep, ProgressTask? bar) : ITrainingObserver
        {
            private long _from, _to, _lastPrinted;

            public void Started(long fromStep, long toStep)
            {
                (_from, _to, _lastPrinted) = (fromStep, toStep, fromStep);
                if (bar is null)
                {
                    if (fromStep > 0) Console.WriteLine($"  resuming at step {fromStep}");
                    return;
                }
                bar.MaxValue = Math.Max(1, toStep);
                bar.Value = fromStep;
                if (sweep._grid is not null) sweep._grid.Value = sweep._gridBefore + fromStep;
            }

            public void Logged(LogEntry e)
            {
                string text = $"step {e.Step}/{_to}  D real {e.DLossReal:F3} fake {e.DLossFake:F3}  G {e.GLoss:F3}  {e.ImagesPerSecond:F1} img/s";
                if (bar is null)
                {
                    if ((e.Step - _lastPrinted) * 10 < _to - _from && e.Step != _to) return;
                    _lastPrinted = e.Step;
                    Console.WriteLine($"  {text}");
                    return;
                }
                bar.Value = e.Step;
                bar.Description = Markup.Escape(text);
                if (sweep._grid is not null) sweep._grid.Value = sweep._gridBefore + e.Step;
            }

            public void Message(string text)
            {
                if (bar is null) Console.WriteLine($"  {text}");
            }
        }
    }
}
