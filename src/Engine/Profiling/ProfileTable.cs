using System.Globalization;

namespace RawGan.Engine.Profiling;

/// <summary>The profile as a text table (the console) or a Markdown one (the README): one row per op and pass.</summary>
public static class ProfileTable
{
    /// <summary>Writes the <paramref name="top"/> slowest rows, one line for the rest, the untracked time and the total.</summary>
    public static void Write(TextWriter output, ProfileResults results, bool markdown = false, int top = 30)
    {
        var ci = CultureInfo.InvariantCulture;
        var steps = results.StepMilliseconds;
        if (steps.Count == 0)
        {
            output.WriteLine("No profiled steps.");
            return;
        }
        output.WriteLine(string.Create(ci, $"{steps.Count} measured step(s), {results.Clock}: {results.MeanStepMilliseconds:F1} ms per step on average (fastest {steps.Min():F1}, slowest {steps.Max():F1})."));
        var gc = results.GarbageCollection;
        output.WriteLine(string.Create(ci, $"Garbage collection: {gc.Average(g => g.PauseMilliseconds):F1} ms paused and {gc.Average(g => g.Gen2Collections):F1} full collections per step (inside the rows of the ops that allocated)."));
        var rows = results.Rows();
        var ops = rows.Where(r => r.Name != ProfileRow.OtherName).ToList();
        var shown = ops.Take(top).ToList();
        var table = new List<string[]> { new[] { "op", "pass", "calls", "ms", "% step", "TFLOP/s", "GB/s" } };
        foreach (var r in shown) table.Add(Cells(r, ci));
        if (ops.Count > shown.Count)
        {
            var rest = ops.Skip(top).ToList();
            table.Add([$"({rest.Count} more rows)", "", rest.Sum(r => r.Calls).ToString("F0", ci), rest.Sum(r => r.Milliseconds).ToString("F1", ci),
                       rest.Sum(r => r.PercentOfStep).ToString("F1", ci), "", ""]);
        }
        table.Add(Cells(results.OtherRow(), ci));
        table.Add(["total", "", ops.Sum(r => r.Calls).ToString("F0", ci), rows.Sum(r => r.Milliseconds).ToString("F1", ci),
                   rows.Sum(r => r.PercentOfStep).ToString("F1", ci), "", ""]);
        if (markdown) WriteMarkdown(output, table);
        else WriteAligned(output, table);
    }

    private static string[] Cells(ProfileRow r, CultureInfo ci) =>
    [
        r.Name,
        r.Pass?.ToString().ToLowerInvariant() ?? "",
        r.Name == ProfileRow.OtherName ? "" : r.Calls.ToString(r.Calls == Math.Floor(r.Calls) ? "F0" : "F1", ci),
        r.Milliseconds.ToString("F1", ci),
        r.PercentOfStep.ToString("F1", ci),
        r.Flops > 0 ? r.Tflops.ToString("F3", ci) : "",
        r.Bytes > 0 ? r.GigabytesPerSecond.ToString("F1", ci) : "",
    ];

    private static void WriteAligned(TextWriter output, List<string[]> table)
    {
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        foreach (var row in table)
        {
            // The first two columns are names (left-aligned), the rest numbers (right-aligned).
            var cells = row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    private static void WriteMarkdown(TextWriter output, List<string[]> table)
    {
        output.WriteLine("| " + string.Join(" | ", table[0]) + " |");
        output.WriteLine("|" + string.Join("|", table[0].Select((_, c) => c < 2 ? "---" : "---:")) + "|");
        foreach (var row in table.Skip(1)) output.WriteLine("| " + string.Join(" | ", row) + " |");
    }
}
