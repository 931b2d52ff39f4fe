using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RawGan.Bench;

/// <summary>
/// Bytes a memory-bound benchmark must move per invocation (each input read once, each output written once), given
/// by a static method of the benchmark class that takes the case string, so that the figure follows the shape.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BytesAttribute(string method) : Attribute
{
    /// <summary>Name of a static method (string case) → double bytes on the benchmark class.</summary>
    public string Method { get; } = method;

    /// <summary>The byte count of a benchmark case, or null when its method is not marked.</summary>
    public static double? Of(BenchmarkCase benchmarkCase)
    {
        var workload = benchmarkCase.Descriptor.WorkloadMethod;
        var attribute = workload.GetCustomAttribute<BytesAttribute>();
        if (attribute is null) return null;
        var counter = benchmarkCase.Descriptor.Type.GetMethod(attribute.Method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{benchmarkCase.Descriptor.Type.Name} has no static method {attribute.Method}(string).");
        var parameter = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Case")?.Value as string ?? "";
        return (double)counter.Invoke(null, [parameter])!;
    }
}

/// <summary>Achieved bandwidth (bytes of <see cref="BytesAttribute"/> over the fastest iteration) in GB/s.</summary>
public sealed class BandwidthColumn : IColumn
{
    /// <inheritdoc/>
    public string Id => "GBps-best";

    /// <inheritdoc/>
    public string ColumnName => "GB/s (best)";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 2;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => "Bytes the kernel must move (inputs read once, outputs written once) over the fastest iteration, in GB/s";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var bytes = BytesAttribute.Of(benchmarkCase);
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (bytes is null || stats is null) return "-";
        return (bytes.Value / stats.Min).ToString("F1", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;
}
