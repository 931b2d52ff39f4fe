using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>Needs no GPU or toolkit: a changed .cu whose PTX was not rebuilt means the engine runs old code.</summary>
public partial class PtxFreshnessTests
{
    private static IEnumerable<string> Modules() => PtxModules.ModuleNames().Order();

    // Must match Get-KernelSourceHash in build.ps1: common.cuh, the .cu, then the other kernels-cu headers it includes
    // (directly or through a header) in the order first met.
    private static string SourceHash(string module)
    {
        string dir = Path.Combine(RepoRoot.Path, "kernels-cu");
        var text = new StringBuilder(File.ReadAllText(Path.Combine(dir, "common.cuh")) + "\n//--\n" + File.ReadAllText(Path.Combine(dir, module + ".cu")));
        var headers = new List<string>();
        Headers(Path.Combine(dir, module + ".cu"), headers);
        foreach (var h in headers) text.Append("\n//--\n").Append(File.ReadAllText(Path.Combine(dir, h)));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal)))).ToLowerInvariant();
    }

    private static void Headers(string path, List<string> found)
    {
        foreach (var line in File.ReadLines(path))
        {
            var m = IncludeRegex().Match(line);
            if (!m.Success || m.Groups[1].Value == "common.cuh" || found.Contains(m.Groups[1].Value)) continue;
            found.Add(m.Groups[1].Value);
            Headers(Path.Combine(Path.GetDirectoryName(path)!, m.Groups[1].Value), found);
        }
    }

    [GeneratedRegex("^\\s*#include\\s+\"([^\"]+)\"")]
    private static partial Regex IncludeRegex();

    [TestCaseSource(nameof(Modules))]
    public void EmbeddedPtxIsBuiltFromTheCurrentSource(string module)
    {
        var firstLine = PtxModules.Source(module).Split('\n')[0].Trim();
        Assert.That(firstLine, Is.EqualTo($"// rawgan-source-sha256: {SourceHash(module)}"),
            $"Ptx/{module}.ptx is stale: run 'dotnet pwsh build.ps1 kernels' and commit the PTX.");
    }
}
