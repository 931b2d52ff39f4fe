using System.Text.RegularExpressions;
using RawGan.Cli.Commands;
using RawGan.Model.Training;
using Spectre.Console;

namespace RawGan.Tests.Cli;

/// <summary>The training progress display on an interactive terminal.</summary>
public class ProgressDisplayTests
{
    [TestCase(80)]
    [TestCase(120)]
    public void TheTrainingBarFitsTheTerminal(int columns)
    {
        using var writer = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(writer),
        });
        terminal.Profile.Width = columns;
        terminal.Profile.Height = 24;
        terminal.Profile.Capabilities.Unicode = true;

        ProgressDisplay.Run(700, observer =>
        {
            observer.Started(0, 700);
            observer.Logged(new LogEntry(350, 0.1234, 0.4567, 0.7891, 412.5, 54.3));
            observer.Message("Checkpoint checkpoints/step_00000350.safetensors");
            return new TrainingResult(TrainingOutcome.Completed, 350, null, 412.5, 54.3);
        }, terminal);

        // Cursor movements and erasures of the live display removed, what is left is every frame's text.
        var lines = Regex.Replace(writer.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "\n").Replace("\r", "", StringComparison.Ordinal)
                         .Split('\n').Where(l => l.Trim().Length > 0).ToList();
        TestContext.Out.WriteLine(string.Join('\n', lines));
        Assert.That(lines.Max(l => l.Length), Is.LessThanOrEqualTo(columns), "no line wraps");
        var bar = lines.LastOrDefault(l => l.Contains("50%", StringComparison.Ordinal));
        Assert.That(bar, Is.Not.Null, "the percentage is on a line of its own kind");
        Assert.That(bar!.Count(c => c == '━'), Is.GreaterThanOrEqualTo(Math.Min(40, columns / 3)), $"the bar keeps its width: \"{bar}\"");
        Assert.That(lines.Any(l => l.Contains("0.789", StringComparison.Ordinal) && l.Contains("54.3", StringComparison.Ordinal)), Is.True, "losses and speed are shown");
    }
}
