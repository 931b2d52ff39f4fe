using RawGan.Model.Metrics;
using ScottPlot;

namespace RawGan.Cli.Commands;

/// <summary>
/// The truncation curve as a PNG: IS against FID, one point per threshold (labelled), joined in threshold order;
/// one curve per kind of batch-norm statistics when standing statistics were measured too.
/// </summary>
internal static class TruncationCurve
{
    public static void Save(string path, IReadOnlyList<EvalRecord> records, string subtitle)
    {
        var plot = new Plot();
        var curves = records.GroupBy(r => r.StandingStats).OrderBy(g => g.Key).ToList();
        foreach (var curve in curves)
        {
            // Untruncated latents are the limit of an infinite threshold: last on the curve.
            var ordered = curve.OrderBy(r => r.Truncation ?? double.PositiveInfinity).ToArray();
            var line = plot.Add.Scatter(ordered.Select(r => r.Fid).ToArray(), ordered.Select(r => r.IsMean).ToArray());
            line.MarkerSize = 8;
            line.LineWidth = 2;
            if (curves.Count > 1) line.LegendText = curve.Key > 0 ? $"standing statistics ({curve.Key} batches)" : "running statistics";
            foreach (var r in ordered)
            {
                var label = plot.Add.Text(EvalRecord.FormatTruncation(r.Truncation), r.Fid, r.IsMean);
                label.LabelFontSize = 13;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = -18;
            }
        }
        if (curves.Count > 1) plot.ShowLegend(Alignment.LowerRight);
        plot.Title($"Truncation curve ({subtitle})");
        plot.XLabel("FID (lower is better)");
        plot.YLabel("Inception Score (higher is better)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 650);
    }
}
