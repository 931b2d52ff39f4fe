using RawGan.Model.Metrics;
using ScottPlot;

namespace RawGan.Cli.Commands;

/// <summary>The truncation curve as a PNG: IS against FID, one point per threshold (labelled), joined in threshold order.</summary>
internal static class TruncationCurve
{
    public static void Save(string path, IReadOnlyList<EvalRecord> records, string subtitle)
    {
        // Untruncated latents are the limit of an infinite threshold: last on the curve.
        var ordered = records.OrderBy(r => r.Truncation ?? double.PositiveInfinity).ToArray();
        var plot = new Plot();
        var line = plot.Add.Scatter(ordered.Select(r => r.Fid).ToArray(), ordered.Select(r => r.IsMean).ToArray());
        line.MarkerSize = 8;
        line.LineWidth = 2;
        foreach (var r in ordered)
        {
            var label = plot.Add.Text(EvalRecord.FormatTruncation(r.Truncation), r.Fid, r.IsMean);
            label.LabelFontSize = 13;
            label.LabelOffsetX = 6;
            label.LabelOffsetY = -18;
        }
        plot.Title($"Truncation curve ({subtitle})");
        plot.XLabel("FID (lower is better)");
        plot.YLabel("Inception Score (higher is better)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 650);
    }
}
