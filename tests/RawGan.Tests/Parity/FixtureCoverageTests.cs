using RawGan.Engine;

namespace RawGan.Tests.Parity;

/// <summary>Every fixture file is exercised by a parity test, in both float32 and float64.</summary>
[Category("Parity")]
public class FixtureCoverageTests
{
    /// <summary>The families the parity test classes read (biggan_* by BigGan/BigGanParityTests); io_python is read by the safetensors tests.</summary>
    private static readonly string[] Families =
    [
        "elementwise", "reduction", "softmax", "matmul", "conv2d", "pooling", "batchnorm", "embedding",
        "spectral_norm", "losses", "orthogonal", "orthogonal_init", "shape_ops", "optim", "biggan_blocks", "biggan_networks",
    ];

    [Test]
    public void EveryFixtureFileHasAParityTest()
    {
        var files = Directory.GetFiles(ParityFixture.Folder, "*.safetensors").Select(Path.GetFileNameWithoutExtension).ToArray();
        // io_python is read by the safetensors tests, inception (float32 only) by Metrics/InceptionParityTests.
        Assert.That(files, Is.EquivalentTo(Families.Append("io_python").Append("inception")), "a fixture family without a parity test, or a test without its fixture");
    }

    [TestCaseSource(nameof(Families))]
    public void EveryCaseExistsInBothPrecisions(string family)
    {
        var names = ParityFixture.For(family).File.Metadata.Keys.ToArray();
        Assert.That(names, Is.Not.Empty);
        foreach (var name in names)
        {
            var c = ParityFixture.Case(family, name);
            string twin = c.DType == DType.Float32 ? name[..^4] + "_f64" : name[..^4] + "_f32";
            Assert.That(names, Does.Contain(twin), $"{c.Label} has no twin in the other precision");
            Assert.That(name, Does.EndWith(c.DType == DType.Float32 ? "_f32" : "_f64"), $"{c.Label}: the name's dtype tag matches its metadata");
        }
    }
}
