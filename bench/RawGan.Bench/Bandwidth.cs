using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RawGan.Bench;

/// <summary>
/// Bytes a memory-bound benchmark moves per invocation, given by static methods of the benchmark class that take the
/// case string, so that the figures follow the shape. <see cref="Method"/> counts what the implementation actually
/// reads and writes (a second pass over an input included, whether or not L2 serves it): bench/compare.py's "of copy"
/// is that traffic's rate as a fraction of the same run's copy. <see cref="Floor"/>, when given, counts the compulsory
/// bytes (each input read once, each output written once), the floor no implementation can go below; without it the
/// two are the same.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BytesAttribute(string method) : Attribute
{
    /// <summary>Name of a static method (string case) → double bytes the implementation moves.</summary>
    public string Method { get; } = method;

    /// <summary>Name of a static method (string case) → double compulsory bytes, or null when they equal <see cref="Method"/>'s.</summary>
    public string? Floor { get; init; }

    /// <summary>The bytes a benchmark case moves, or null when its method is not marked.</summary>
    public static double? Of(BenchmarkCase benchmarkCase) => Count(benchmarkCase, a => a.Method);

    /// <summary>The compulsory bytes of a benchmark case, or null when its method is not marked.</summary>
    public static double? FloorOf(BenchmarkCase benchmarkCase) => Count(benchmarkCase, a => a.Floor ?? a.Method);

    private static double? Count(BenchmarkCase benchmarkCase, Func<BytesAttribute, string> method)
    {
        var workload = benchmarkCase.Descriptor.WorkloadMethod;
        var attribute = workload.GetCustomAttribute<BytesAttribute>();
        if (attribute is null) return null;
        var name = method(attribute);
        var counter = benchmarkCase.Descriptor.Type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{benchmarkCase.Descriptor.Type.Name} has no static method {name}(string).");
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
    public string Legend => "Bytes the implementation moves (see BytesAttribute) over the fastest iteration, in GB/s";

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
