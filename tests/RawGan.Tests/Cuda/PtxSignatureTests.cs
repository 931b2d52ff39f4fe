using System.Reflection;
using System.Text.RegularExpressions;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Needs no GPU: every typed launcher's parameter list must match the <c>.entry</c> it launches in the
/// committed PTX, and every PTX entry must have a launcher.
/// </summary>
public partial class PtxSignatureTests
{
    [GeneratedRegex(@"\.entry\s+(\w+)\s*\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex EntryRegex();

    [GeneratedRegex(@"\.param\s+\.(\w+)\s+\w+")]
    private static partial Regex ParamRegex();

    internal static IEnumerable<KernelEntry> DeclaredEntries()
    {
        var asm = typeof(KernelEntry).Assembly;
        foreach (var type in asm.GetTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (field.FieldType == typeof(KernelEntry)) yield return (KernelEntry)field.GetValue(null)!;
                else if (field.FieldType == typeof(IReadOnlyList<KernelEntry>))
                {
                    foreach (var entry in (IReadOnlyList<KernelEntry>)field.GetValue(null)!) yield return entry;
                }
                else if (field.FieldType == typeof(KernelTable))
                {
                    foreach (var entry in ((KernelTable)field.GetValue(null)!).Entries) yield return entry;
                }
            }
        }
    }

    internal static Dictionary<string, PtxParam[]> PtxEntries(string module)
    {
        var result = new Dictionary<string, PtxParam[]>();
        foreach (Match m in EntryRegex().Matches(PtxModules.Source(module)))
        {
            var types = ParamRegex().Matches(m.Groups[2].Value).Select(p => p.Groups[1].Value switch
            {
                "u32" or "s32" or "b32" => PtxParam.U32,
                "u64" or "s64" or "b64" => PtxParam.U64,
                "f32" => PtxParam.F32,
                "f64" => PtxParam.F64,
                var other => throw new AssertionException($"{module}.{m.Groups[1].Value}: parameter type .{other} has no launcher mapping."),
            }).ToArray();
            result[m.Groups[1].Value] = types;
        }
        return result;
    }

    [Test]
    public void EveryLauncherMatchesItsPtxEntry()
    {
        var declared = DeclaredEntries().ToList();
        Assert.That(declared, Is.Not.Empty);
        var modules = declared.Select(e => e.Module).Distinct().ToDictionary(m => m, PtxEntries);
        Assert.Multiple(() =>
        {
            foreach (var e in declared)
            {
                Assert.That(modules[e.Module].ContainsKey(e.Name), Is.True, $"{e}: no such .entry in Ptx/{e.Module}.ptx");
                if (modules[e.Module].TryGetValue(e.Name, out var ptx))
                    Assert.That(e.Parameters, Is.EqualTo(ptx), $"{e}: parameters differ from the PTX .entry");
            }
        });
    }

    [Test]
    public void EveryPtxEntryHasALauncher()
    {
        var declared = DeclaredEntries().Select(e => (e.Module, e.Name)).ToHashSet();
        var orphans = PtxModules.ModuleNames()
            .SelectMany(m => PtxEntries(m).Keys.Select(name => (Module: m, Name: name)))
            .Where(e => !declared.Contains(e))
            .Select(e => $"{e.Module}.{e.Name}")
            .ToList();
        Assert.That(orphans, Is.Empty, "PTX entries without a typed launcher");
    }

    [Test]
    public void EveryKernelSourceHasEmbeddedPtx()
    {
        var sources = Directory.GetFiles(Path.Combine(RepoRoot.Path, "kernels-cu"), "*.cu").Select(Path.GetFileNameWithoutExtension);
        Assert.That(PtxModules.ModuleNames(), Is.EquivalentTo(sources));
    }
}
