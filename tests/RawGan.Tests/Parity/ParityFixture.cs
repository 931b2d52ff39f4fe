using System.Collections.Concurrent;
using RawGan.Engine.IO;

namespace RawGan.Tests.Parity;

/// <summary>
/// One PyTorch fixture file, tests/fixtures/&lt;family&gt;.safetensors, written by tests/reference/make_fixtures.py:
/// each metadata entry describes a case, each tensor is named &lt;case&gt;.&lt;role&gt;. Loaded once per test run.
/// </summary>
internal sealed class ParityFixture
{
    private static readonly ConcurrentDictionary<string, Lazy<ParityFixture>> Loaded = new();

    private ParityFixture(string family)
    {
        Family = family;
        File = SafeTensors.Load(PathOf(family));
    }

    public string Family { get; }

    public SafeTensorsFile File { get; }

    /// <summary>Where the test build copies the fixtures.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string PathOf(string family) => Path.Combine(Folder, family + ".safetensors");

    public static ParityFixture For(string family) =>
        Loaded.GetOrAdd(family, f => new Lazy<ParityFixture>(() => new ParityFixture(f))).Value;

    /// <summary>The case names of a family, as NUnit test cases named after them.</summary>
    public static IEnumerable<TestCaseData> Cases(string family) =>
        For(family).File.Metadata.Keys.Order(StringComparer.Ordinal).Select(name => new TestCaseData(name).SetArgDisplayNames(name));

    public static ParityCase Case(string family, string name) => new(For(family), name);
}
