using System.Security.Cryptography;
using System.Text;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>Needs no GPU or toolkit: a changed .cu whose PTX was not rebuilt means the engine runs old code.</summary>
public class PtxFreshnessTests
{
    private static IEnumerable<string> Modules() => PtxModules.ModuleNames().Order();

    // Must match Get-KernelSourceHash in build.ps1.
    private static string SourceHash(string module)
    {
        string dir = Path.Combine(RepoRoot.Path, "kernels-cu");
        string text = File.ReadAllText(Path.Combine(dir, "common.cuh")) + "\n//--\n" + File.ReadAllText(Path.Combine(dir, module + ".cu"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal)))).ToLowerInvariant();
    }

    [TestCaseSource(nameof(Modules))]
    public void EmbeddedPtxIsBuiltFromTheCurrentSource(string module)
    {
        var firstLine = PtxModules.Source(module).Split('\n')[0].Trim();
        Assert.That(firstLine, Is.EqualTo($"// rawgan-source-sha256: {SourceHash(module)}"),
            $"Ptx/{module}.ptx is stale: run 'dotnet pwsh build.ps1 kernels' and commit the PTX.");
    }
}
