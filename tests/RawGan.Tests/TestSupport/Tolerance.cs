using System.Globalization;
using System.Text;
using RawGan.Engine;

namespace RawGan.Tests.TestSupport;

/// <summary>Element-wise closeness assertions: |actual − expected| ≤ atol + rtol·|expected|.</summary>
public static class Tolerance
{
    /// <summary>Relative tolerance for float32 results checked against double references.</summary>
    public const double Float32Relative = 2e-5;

    /// <summary>Absolute floor for float32 results (values of order one).</summary>
    public const double Float32Absolute = 2e-6;

    /// <summary>Relative tolerance for float64 results checked against double references.</summary>
    public const double Float64Relative = 1e-12;

    /// <summary>Absolute floor for float64 results.</summary>
    public const double Float64Absolute = 1e-13;

    /// <summary>The relative tolerance suited to a dtype's forward results.</summary>
    public static double Relative(DType dtype) => dtype == DType.Float32 ? Float32Relative : Float64Relative;

    /// <summary>The absolute floor suited to a dtype's forward results.</summary>
    public static double Absolute(DType dtype) => dtype == DType.Float32 ? Float32Absolute : Float64Absolute;

    /// <summary>Asserts a tensor's values match a reference, with the tolerance of the tensor's dtype.</summary>
    public static void AssertClose(Tensor actual, double[] expected, string what, TestRng? rng = null, double scale = 1.0)
    {
        AssertClose(actual.ToDoubleArray(), expected, Relative(actual.DType) * scale, Absolute(actual.DType) * scale, what, rng, actual.Shape.ToArray());
    }

    /// <summary>Asserts two arrays agree element by element; the message names the worst elements and the seed.</summary>
    public static void AssertClose(double[] actual, double[] expected, double rtol, double atol, string what,
                                   TestRng? rng = null, int[]? shape = null)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), $"{what}: element count");
        var bad = new List<int>();
        for (int i = 0; i < actual.Length; i++)
        {
            if (!IsClose(actual[i], expected[i], rtol, atol)) bad.Add(i);
        }
        if (bad.Count == 0) return;
        var msg = new StringBuilder();
        msg.Append(CultureInfo.InvariantCulture, $"{what}: {bad.Count} of {actual.Length} elements differ (rtol {rtol:g3}, atol {atol:g3})");
        if (rng is not null) msg.Append(CultureInfo.InvariantCulture, $"; {rng}");
        msg.AppendLine();
        foreach (var i in bad.OrderByDescending(i => Math.Abs(actual[i] - expected[i])).Take(8))
        {
            string where = shape is null ? i.ToString(CultureInfo.InvariantCulture) : "[" + string.Join(", ", Nd.Unravel(i, shape)) + "]";
            msg.AppendLine(CultureInfo.InvariantCulture, $"  at {where}: actual {actual[i]:R}, expected {expected[i]:R}");
        }
        Assert.Fail(msg.ToString());
    }

    /// <summary>|a − e| ≤ atol + rtol·|e|, with NaN never close.</summary>
    public static bool IsClose(double a, double e, double rtol, double atol) =>
        Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
}
