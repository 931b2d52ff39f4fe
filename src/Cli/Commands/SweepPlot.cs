using RawGan.Model.Metrics;
using RawGan.Model.Sweep;
using ScottPlot;

namespace RawGan.Cli.Commands;

/// <summary>
/// The sweep as a PNG: IS against FID, one point per cell at the sweep's first truncation, with error bars of one
/// standard deviation over the seeds in both directions, labelled by cell number (table.md names the cells).
/// </summary>
internal static class SweepPlot
{
    public static void Save(string path, SweepSpec spec, IReadOnlyList<SweepRow> rows, string subtitle)
    {
        var truncation = spec.Thresholds()[0];
        var scored = rows.Where(r => r.Truncation == truncation && r.Is is not null && r.Fid is not null).ToArray();
        var plot = new Plot();
        if (scored.Length > 0)
        {
            double[] fid = scored.Select(r => r.Fid!.Value.Mean).ToArray(), inception = scored.Select(r => r.Is!.Value.Mean).ToArray();
            var bars = plot.Add.ErrorBar(fid, inception, scored.Select(r => r.Is!.Value.Std).ToArray());
            bars.XErrorPositive = bars.XErrorNegative = scored.Select(r => r.Fid!.Value.Std).ToArray();
            var points = plot.Add.ScatterPoints(fid, inception);
            points.MarkerSize = 9;
            foreach (var r in scored)
            {
                var label = plot.Add.Text(r.Cell.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Fid!.Value.Mean, r.Is!.Value.Mean);
                label.LabelFontSize = 14;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = -20;
            }
        }
        plot.Title($"Sweep {spec.Name}: truncation {EvalRecord.FormatTruncation(truncation)}, mean ± std over seeds");
        plot.XLabel($"FID (lower is better; {subtitle})"); // the title has no room for it at 900 px
        plot.YLabel("Inception Score (higher is better)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 650);
    }
}
