using System.Text.Json;

namespace RawGan.Tests.Metrics;

/// <summary>The numpy/scipy values of tests/reference/make_metrics_fixtures.py.</summary>
internal static class MetricsReference
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "metrics_reference.json"))));

    public static IEnumerable<JsonElement> Cases(string kind) => Document.Value.RootElement.GetProperty(kind).EnumerateArray();

    public static double[] Array(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static double[,] Matrix(JsonElement e, string key, int rows, int cols)
    {
        var flat = Array(e, key);
        Assert.That(flat, Has.Length.EqualTo(rows * cols), key);
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = flat[i * cols + j];
        return m;
    }
}
