using System.Globalization;
using RawGan.Engine.IO;
using RawGan.Model.Metrics.Inception;

namespace RawGan.Tests.Metrics.Inception;

/// <summary>
/// End to end through tools/convert_inception.py: a folder made by
/// <c>tests/reference/inception_reference.py --converter-check FOLDER [pt_inception-2015-12-05-6726825d.pth]</c>
/// holds the converted weights (random ones, or the real FID weights when given) and PyTorch's features and
/// probabilities for a few images. Needs that folder (95 MB, never committed) in RAWGAN_INCEPTION_CHECK; without it
/// the test reports itself skipped.
/// </summary>
[Category("Parity")]
public class InceptionConvertedWeightsTests
{
    [Test]
    public void ConvertedWeightsMatchPyTorch()
    {
        string? folder = Environment.GetEnvironmentVariable("RAWGAN_INCEPTION_CHECK");
        if (string.IsNullOrEmpty(folder))
            Assert.Ignore("Set RAWGAN_INCEPTION_CHECK to a folder made by tests/reference/inception_reference.py --converter-check.");
        using var net = InceptionV3.Load(Path.Combine(folder, "inception.safetensors"));
        using var expected = SafeTensors.Load(Path.Combine(folder, "expected.safetensors"));
        foreach (var c in new[] { "rgb", "grey" })
        {
            var (probabilities, features) = net.Evaluate(expected[c + ".images"]);
            foreach (var (what, actual) in new[] { ("features", features), ("probabilities", probabilities) })
            {
                var e = expected[$"{c}.{what}"].ToDoubleArray();
                var a = actual.Cast<double>().ToArray();
                Assert.That(a, Has.Length.EqualTo(e.Length), $"{c} {what}");
                double worst = e.Select((v, i) => Math.Abs(a[i] - v)).Max() / e.Max(Math.Abs);
                string line = string.Create(CultureInfo.InvariantCulture, $"{c} {what}: worst error {worst:E2} of the largest magnitude");
                TestContext.Out.WriteLine(line);
                Assert.That(worst, Is.LessThan(1e-4), line);
            }
        }
    }
}
