using System.Globalization;
using System.Text;
using RawGan.Model.Metrics;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>A mean and the sample standard deviation (n − 1; 0 for one value) over seeds.</summary>
public readonly record struct MeanStd(double Mean, double Std)
{
    /// <summary>The mean and spread of <paramref name="values"/> (at least one).</summary>
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new MeanStd(mean, std);
    }
}

/// <summary>One line of the sweep's table: a cell at one truncation, over the seeds finished so far.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="Truncation">The truncation threshold (null: none).</param>
/// <param name="Seeds">Seeds with a score.</param>
/// <param name="Outcomes">How the cell's finished runs ended, e.g. "3 completed" or "2 completed, 1 diverged"; empty while none has finished.</param>
/// <param name="Is">Inception Score over the seeds (null without a score).</param>
/// <param name="Fid">FID over the seeds.</param>
/// <param name="IsChange">Relative change of the mean IS against the baseline cell, in percent (null for the baseline or without scores).</param>
/// <param name="FidChange">Relative change of the mean FID against the baseline cell, in percent.</param>
/// <param name="TrainSeconds">Mean seconds of training per seed.</param>
/// <param name="ImagesPerSecond">Mean real images per second of training.</param>
public sealed record SweepRow(SweepCell Cell, double? Truncation, int Seeds, string Outcomes, MeanStd? Is, MeanStd? Fid, double? IsChange, double? FidChange,
                              double? TrainSeconds, double? ImagesPerSecond);

/// <summary>
/// The sweep's results as one table: per cell and truncation, IS and FID as mean ± standard deviation over the seeds,
/// their relative change against the baseline cell, and the training time; as Markdown (one table per truncation)
/// and as CSV (one line per cell and truncation).
/// </summary>
public static class SweepTable
{
    /// <summary>The table's rows, truncations in the spec's order, cells in order within each.</summary>
    public static IReadOnlyList<SweepRow> Build(SweepSpec spec, IReadOnlyList<SweepCell> cells, IReadOnlyList<SweepResult> results)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rows = new List<SweepRow>();
        foreach (var truncation in spec.Thresholds())
        {
            (MeanStd? Is, MeanStd? Fid) Scores(int cell)
            {
                var scores = results.Where(r => r.Cell == cell).SelectMany(r => r.Scores.Where(s => s.Truncation == truncation)).ToList();
                return scores.Count == 0 ? (null, null) : (MeanStd.Of(scores.Select(s => s.Is).ToList()), MeanStd.Of(scores.Select(s => s.Fid).ToList()));
            }
            var baseline = Scores(spec.Baseline);
            foreach (var cell in cells)
            {
                var runs = results.Where(r => r.Cell == cell.Index).ToList();
                var (isScore, fidScore) = Scores(cell.Index);
                bool compare = cell.Index != spec.Baseline && isScore is not null && baseline.Is is not null;
                rows.Add(new SweepRow(cell, truncation, runs.Count(r => r.Scores.Any(s => s.Truncation == truncation)), Outcomes(runs), isScore, fidScore,
                                      compare ? Change(isScore!.Value.Mean, baseline.Is!.Value.Mean) : null,
                                      compare ? Change(fidScore!.Value.Mean, baseline.Fid!.Value.Mean) : null,
                                      runs.Count > 0 ? runs.Average(r => r.TrainSeconds) : null,
                                      runs.Count > 0 ? runs.Average(r => r.ImagesPerSecond) : null));
            }
        }
        return rows;
    }

    /// <summary>One Markdown table per truncation, with a line saying what the columns are.</summary>
    public static string Markdown(SweepSpec spec, IReadOnlyList<SweepRow> rows)
    {
        var text = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Truncation))
        {
            text.AppendLine(Invariant($"Truncation {EvalRecord.FormatTruncation(group.Key)}, {spec.EvalSamples} samples per run:"));
            text.AppendLine();
            text.AppendLine("| # | configuration | seeds | IS | ΔIS | FID | ΔFID | training | images/s |");
            text.AppendLine("|---:|---|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in group)
            {
                string name = r.Cell.Index == spec.Baseline ? $"{r.Cell.Label} (baseline)" : r.Cell.Label;
                text.AppendLine(Invariant($"| {r.Cell.Index} | {name} | {(r.Outcomes.Length == 0 ? "pending" : r.Outcomes)} | {Format(r.Is, "F3")} | {Percent(r.IsChange)} | {Format(r.Fid, "F2")} | {Percent(r.FidChange)} | ") +
                                (r.TrainSeconds is { } s ? Invariant($"{s:F0} s") : "—") + " | " + (r.ImagesPerSecond is { } ips ? Invariant($"{ips:F1}") : "—") + " |");
            }
            text.AppendLine();
        }
        text.AppendLine("IS and FID: mean ± sample standard deviation over the seeds; Δ: change of the mean against the baseline; " +
                        "training: mean wall-clock seconds per seed; images/s: real images per second of training.");
        return text.ToString();
    }

    /// <summary>CSV with a header: one line per cell and truncation (empty fields where there is no value yet).</summary>
    public static string Csv(IReadOnlyList<SweepRow> rows)
    {
        var text = new StringBuilder("cell,configuration,truncation,seeds,outcomes,is_mean,is_std,fid_mean,fid_std,is_change_pct,fid_change_pct,train_seconds,images_per_second\n");
        foreach (var r in rows)
        {
            string[] fields =
            [
                r.Cell.Index.ToString(CultureInfo.InvariantCulture), Quote(r.Cell.Label), EvalRecord.FormatTruncation(r.Truncation),
                r.Seeds.ToString(CultureInfo.InvariantCulture), Quote(r.Outcomes),
                Number(r.Is?.Mean), Number(r.Is?.Std), Number(r.Fid?.Mean), Number(r.Fid?.Std), Number(r.IsChange), Number(r.FidChange),
                Number(r.TrainSeconds), Number(r.ImagesPerSecond),
            ];
            text.AppendLine(string.Join(",", fields));
        }
        return text.ToString();
    }

    private static double Change(double value, double baseline) => (value / baseline - 1) * 100;

    private static string Outcomes(IEnumerable<SweepResult> runs) => string.Join(", ",
        runs.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static string Format(MeanStd? value, string format) =>
        value is { } v ? $"{v.Mean.ToString(format, CultureInfo.InvariantCulture)} ± {v.Std.ToString(format, CultureInfo.InvariantCulture)}" : "—";

    private static string Percent(double? change) => change is { } c ? c.ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) + " %" : "—";

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal)
        ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : text;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
