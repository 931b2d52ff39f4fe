using System.Globalization;
using System.Text;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>One line of a parameter summary: a module path and its parameter count (buffers excluded).</summary>
public sealed record ModelSummaryRow(string Path, long Parameters);

/// <summary>Per-module parameter counts, for `rawgan info`.</summary>
public static class ModelSummary
{
    /// <summary>Name of the last row, the module's total.</summary>
    public const string TotalPath = "total";

    /// <summary>Name of the row of parameters held directly by a module (not by a child), e.g. attention's gamma.</summary>
    public const string OwnPath = "(own)";

    /// <summary>
    /// Rows for every descendant down to <paramref name="depth"/> levels (1: the direct children), in registration
    /// order, each with the parameters of its subtree; parameters held directly by the module come as "(own)";
    /// the last row is the total.
    /// </summary>
    public static IReadOnlyList<ModelSummaryRow> Rows(Module module, int depth = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var rows = new List<ModelSummaryRow>();
        long childParameters = 0;
        foreach (var (name, child) in module.NamedChildren())
        {
            childParameters += child.ParameterCount;
            Add(rows, name, child, depth);
        }
        long own = module.ParameterCount - childParameters;
        if (own > 0) rows.Add(new ModelSummaryRow(OwnPath, own));
        rows.Add(new ModelSummaryRow(TotalPath, module.ParameterCount));
        return rows;
    }

    private static void Add(List<ModelSummaryRow> rows, string path, Module module, int depth)
    {
        rows.Add(new ModelSummaryRow(path, module.ParameterCount));
        if (depth <= 1) return;
        foreach (var (name, child) in module.NamedChildren()) Add(rows, path + "." + name, child, depth - 1);
    }

    /// <summary>The rows as a two-column text table (path, count with thousands separators).</summary>
    public static string Format(IReadOnlyList<ModelSummaryRow> rows)
    {
        int width = Math.Max(6, rows.Max(r => r.Path.Length));
        var sb = new StringBuilder();
        foreach (var r in rows)
            sb.Append(r.Path.PadRight(width)).Append("  ").AppendLine(r.Parameters.ToString("N0", CultureInfo.InvariantCulture).PadLeft(14));
        return sb.ToString();
    }
}
