using System.Diagnostics;
using System.Globalization;
using RawGan.Model.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RawGan.Cli.Commands;

/// <summary>
/// Shows training progress. On a terminal: two live lines laid out for its width (80 columns and up), the bar with
/// step, percentage, elapsed time and ETA, then the latest losses and speed; events (checkpoints, samples) scroll
/// above them. Plain lines (one per logged step) when the output is redirected or not interactive.
/// </summary>
internal static class ProgressDisplay
{
    public static TrainingResult Run(long totalSteps, Func<ITrainingObserver, TrainingResult> session, IAnsiConsole? terminal = null)
    {
        bool interactive = terminal is not null || (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);
        if (!interactive) return session(new PlainObserver());
        terminal ??= AnsiConsole.Console;
        var status = new TrainingStatus(totalSteps, terminal.Profile.Capabilities.Unicode);
        TrainingResult? result = null;
        terminal.Live(status).AutoClear(false).Start(live => result = session(new LiveObserver(status, live, terminal)));
        return result!;
    }

    private static string Losses(LogEntry e) =>
        string.Create(CultureInfo.InvariantCulture, $"D real {e.DLossReal:F3} fake {e.DLossFake:F3}  G {e.GLoss:F3}  {e.ImagesPerSecond:F1} img/s");

    private static string Clock(TimeSpan t) => t.ToString(t.TotalHours >= 100 ? "d\\.hh\\:mm\\:ss" : "hh\\:mm\\:ss", CultureInfo.InvariantCulture);

    private sealed class PlainObserver : ITrainingObserver
    {
        private long _from, _to;
        private readonly Stopwatch _clock = new();

        public void Started(long fromStep, long toStep)
        {
            (_from, _to) = (fromStep, toStep);
            _clock.Restart();
            Console.WriteLine($"Training steps {fromStep + 1} to {toStep}.");
        }

        public void Logged(LogEntry e)
        {
            double perStep = _clock.Elapsed.TotalSeconds / Math.Max(1, e.Step - _from);
            Console.WriteLine($"step {e.Step}  {Losses(e)}  ETA {Clock(TimeSpan.FromSeconds(perStep * (_to - e.Step)))}");
        }

        public void Message(string text) => Console.WriteLine(text);
    }

    private sealed class LiveObserver(TrainingStatus status, LiveDisplayContext live, IAnsiConsole terminal) : ITrainingObserver
    {
        public void Started(long fromStep, long toStep)
        {
            status.Start(fromStep, toStep);
            live.Refresh();
        }

        public void Logged(LogEntry entry)
        {
            status.Update(entry);
            live.Refresh();
        }

        public void Message(string text)
        {
            terminal.MarkupLine($"[grey]{Markup.Escape(text)}[/]");
            live.Refresh();
        }
    }

    /// <summary>The two live lines, laid out for the width they are given at each refresh.</summary>
    private sealed class TrainingStatus(long totalSteps, bool unicode) : IRenderable
    {
        private readonly Stopwatch _clock = new();
        private long _from, _to = totalSteps, _step;
        private string _losses = "";

        public void Start(long fromStep, long toStep)
        {
            (_from, _to, _step) = (fromStep, toStep, fromStep);
            _clock.Restart();
        }

        public void Update(LogEntry entry)
        {
            _step = entry.Step;
            _losses = Losses(entry);
        }

        public Measurement Measure(RenderOptions options, int maxWidth) => new(maxWidth, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
        {
            var elapsed = _clock.Elapsed;
            long done = _step - _from, left = _to - _step;
            string eta = done > 0 ? Clock(elapsed * left / done) : "--:--:--";
            double fraction = _to > 0 ? Math.Clamp((double)_step / _to, 0, 1) : 1;
            string head = $"step {_step}/{_to} ";
            string tail = string.Create(CultureInfo.InvariantCulture, $" {fraction * 100,3:F0}%  {Clock(elapsed)} ETA {eta}");
            int width = Math.Max(10, maxWidth - head.Length - tail.Length);
            int filled = (int)Math.Round(fraction * width);
            char glyph = unicode ? '━' : '-';
            IRenderable lines = new Rows(
                new Markup($"{Markup.Escape(head)}[green]{new string(glyph, filled)}[/][grey]{new string(glyph, width - filled)}[/]{Markup.Escape(tail)}") { Overflow = Overflow.Crop },
                new Text(_losses) { Overflow = Overflow.Ellipsis });
            return lines.Render(options, maxWidth);
        }
    }
}
