using RawGan.Model.Analysis;

namespace RawGan.Cli.Commands;

/// <summary>
/// The paper's spectra figure for one network: σ0 over steps, one line per weight, log-scale y, the fastest-growing
/// layers drawn thicker and named in the legend (the others unlabelled, in grey-ish thin lines).
/// </summary>
internal static class SvTracePlot
{
    public static void Save(string path, IReadOnlyCollection<WeightSpectrum> rows, string network, int labelled)
    {
        var ranked = SpectrumGrowth.Rank(rows, network);
        var highlighted = ranked.Take(labelled).Select(x => x.Layer).ToHashSet(StringComparer.Ordinal);
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        // Unlabelled layers first, so the labelled ones are drawn on top.
        foreach (var layer in ranked.Select(x => x.Layer).OrderBy(highlighted.Contains))
        {
            var points = rows.Where(r => r.Network == network && r.Layer == layer && r.Sigma0 > 0).OrderBy(r => r.Step).ToList();
            var line = plot.Add.ScatterLine(points.Select(r => (double)r.Step).ToArray(), points.Select(r => Math.Log10(r.Sigma0)).ToArray());
            if (highlighted.Contains(layer))
            {
                line.Color = palette.GetColor(colour++);
                line.LineWidth = 2.5f;
                line.LegendText = layer;
                line.MarkerSize = 0;
            }
            else
            {
                line.Color = ScottPlot.Colors.Gray.WithAlpha(0.45);
                line.LineWidth = 1;
                line.MarkerSize = 0;
            }
        }
        // Log scale: the data are log10 σ0; the ticks show σ0 itself, with log-spaced minor ticks.
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = y => $"{Math.Pow(10, y):G3}",
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Title($"{(network == "G" ? "Generator" : "Discriminator")}: σ0 of every weight (raw W as (out, rest))");
        plot.XLabel("generator step");
        plot.YLabel("σ0 (log scale)");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1000, 650);
    }
}
