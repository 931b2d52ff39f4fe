using System.Globalization;
using System.Text;

namespace RawGan.Model.Analysis;

/// <summary>How one layer's σ0 moved over a trace: first and last values and the growth factor between them.</summary>
public sealed record LayerGrowth(string Network, string Layer, long FirstStep, double FirstSigma0, long LastStep, double LastSigma0)
{
    /// <summary>σ0(last) / σ0(first): the growth over the steps the trace covers, never extrapolated beyond them.</summary>
    public double Factor => LastSigma0 / FirstSigma0;
}

/// <summary>The fastest-growing layers of a trace, as the paper reads its σ0 plots.</summary>
public static class SpectrumGrowth
{
    /// <summary>Every layer of <paramref name="network"/>, fastest-growing σ0 first.</summary>
    public static List<LayerGrowth> Rank(IEnumerable<WeightSpectrum> rows, string network) =>
        rows.Where(r => r.Network == network && double.IsFinite(r.Sigma0) && r.Sigma0 > 0)
            .GroupBy(r => r.Layer)
            .Select(g =>
            {
                var ordered = g.OrderBy(r => r.Step).ToList();
                return new LayerGrowth(network, g.Key, ordered[0].Step, ordered[0].Sigma0, ordered[^1].Step, ordered[^1].Sigma0);
            })
            .OrderByDescending(x => x.Factor)
            .ToList();

    /// <summary>The text of sv-summary.txt: for G and D, the <paramref name="top"/> fastest-growing layers.</summary>
    public static string Summarize(IReadOnlyCollection<WeightSpectrum> rows, int top)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var steps = rows.Select(r => r.Step).Distinct().Order().ToList();
        text.AppendLine(c, $"σ0 of every weight over {steps.Count} traced steps ({(steps.Count > 0 ? $"{steps[0]} to {steps[^1]}" : "none")}).");
        foreach (var network in new[] { "G", "D" })
        {
            var ranked = Rank(rows, network);
            text.AppendLine(c, $"{network}: {ranked.Count} weights; fastest-growing σ0:");
            foreach (var x in ranked.Take(top))
                text.AppendLine(c, $"  {x.Layer,-36} {x.FirstSigma0,10:G4} -> {x.LastSigma0,10:G4}  x{x.Factor:F2} (steps {x.FirstStep} to {x.LastStep})");
        }
        return text.ToString();
    }
}
