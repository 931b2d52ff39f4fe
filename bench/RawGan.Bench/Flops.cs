using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RawGan.Bench;

/// <summary>Floating-point operations one invocation of a benchmark performs (2·M·N·K for a product).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(double count) : Attribute
{
    /// <summary>Operations per invocation.</summary>
    public double Count { get; } = count;
}

/// <summary>GFLOP/s of benchmarks marked with <see cref="FlopsAttribute"/>, from the mean or the fastest iteration.</summary>
public sealed class GflopsColumn(bool fromMinimum) : IColumn
{
    /// <inheritdoc/>
    public string Id => fromMinimum ? "GFLOPS-best" : "GFLOPS";

    /// <inheritdoc/>
    public string ColumnName => fromMinimum ? "GFLOP/s (best)" : "GFLOP/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => fromMinimum ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => fromMinimum
        ? "Floating-point operations per second of the fastest iteration, in billions"
        : "Floating-point operations per second at the mean time, in billions";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var flops = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<FlopsAttribute>()?.Count;
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (flops is null || stats is null) return "-";
        double ns = fromMinimum ? stats.Min : stats.Mean;
        return (flops.Value / ns).ToString("F1", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;
}
