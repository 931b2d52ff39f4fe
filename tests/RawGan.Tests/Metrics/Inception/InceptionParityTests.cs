using System.Globalization;
using System.Text.Json;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.IO;
using RawGan.Model.Metrics.Inception;
using RawGan.Tests.IO;
using RawGan.Tests.Parity;

namespace RawGan.Tests.Metrics.Inception;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Inception-v3 against pytorch-fid's FID Inception in PyTorch 1.13 (tests/reference/inception_reference.py), both
/// with the same hashed weights (<see cref="HashedWeights"/>): every stage's channel means and corner crop, pool3
/// features, logits, and the probabilities <see cref="InceptionV3.Evaluate"/> hands to the Inception Score; on RGB
/// images resized from 75×75, a grey 28×28 image and an RGB image already at 299×299.
/// </summary>
[Category("Parity")]
public class InceptionParityTests
{
    // float32 through ~50 layers: the worst error relative to the largest magnitude of each compared tensor.
    private const double Tolerance = 1e-4;

    private static SafeTensorsFile Fixture => ParityFixture.For("inception").File;

    private static readonly Lazy<InceptionV3> Net = new(() => InceptionV3.FromState(HashedWeights.InceptionState));

    private static IEnumerable<string> NetworkCases() =>
        Fixture.Metadata.Where(kv => Kind(kv.Value) == "network").Select(kv => kv.Key).Order(StringComparer.Ordinal);

    private static IEnumerable<string> ResizeCases() =>
        Fixture.Metadata.Where(kv => Kind(kv.Value) == "resize").Select(kv => kv.Key).Order(StringComparer.Ordinal);

    private static string Kind(string meta) => JsonDocument.Parse(meta).RootElement.GetProperty("kind").GetString()!;

    private static int[] ShapeOf(string meta, string property = "shape") =>
        JsonDocument.Parse(meta).RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Test]
    public void StateDictNamesAndShapesAreTorchvisions()
    {
        var expected = JsonDocument.Parse(Fixture.Metadata["state_dict"]).RootElement.GetProperty("shapes").EnumerateObject()
            .ToDictionary(p => p.Name, p => string.Join("x", p.Value.EnumerateArray().Select(e => e.GetInt32())));
        using var net = new InceptionV3();
        var actual = net.StateDict().ToDictionary(kv => kv.Key, kv => string.Join("x", kv.Value.Shape.ToArray()));
        Assert.That(actual, Is.EquivalentTo(expected));
    }

    [TestCaseSource(nameof(NetworkCases))]
    public void StagesFeaturesAndLogitsMatchPyTorch(string name)
    {
        var images = HashedWeights.Image("image:" + name, new Shape(ShapeOf(Fixture.Metadata[name])));
        var report = new Worst();
        using (GradMode.Disable())
        {
            var features = Net.Value.Features(Net.Value.Prepare(images), (stage, y) =>
            {
                report.Compare($"{stage}.mean", Ops.Mean(y, [2, 3]), Fixture[$"{name}.{stage}.mean"]);
                report.Compare($"{stage}.crop", Ops.Narrow(Ops.Narrow(Ops.Narrow(y, 1, 0, 4), 2, 0, 5), 3, 0, 5), Fixture[$"{name}.{stage}.crop"]);
            });
            report.Compare("features", features, Fixture[name + ".features"]);
            report.Compare("logits", Net.Value.Logits(features), Fixture[name + ".logits"]);
        }
        report.AssertWithin(Tolerance, name);
    }

    [Test]
    public void EvaluateGivesPyTorchsFeaturesAndUnbiasedProbabilities()
    {
        const string name = "rgb75";
        var images = HashedWeights.Image("image:" + name, new Shape(ShapeOf(Fixture.Metadata[name])));
        var (probabilities, features) = Net.Value.Evaluate(images);
        var report = new Worst();
        report.Compare("features", features, Fixture[name + ".features"]);
        report.Compare("probabilities", probabilities, Fixture[name + ".probabilities"]);
        report.AssertWithin(Tolerance, name);
        for (int i = 0; i < probabilities.GetLength(0); i++)
        {
            double sum = 0;
            for (int j = 0; j < probabilities.GetLength(1); j++) sum += probabilities[i, j];
            Assert.That(sum, Is.EqualTo(1).Within(1e-12), "each row of p(y|x) sums to 1");
        }
    }

    [TestCaseSource(nameof(ResizeCases))]
    public void ResizeMatchesInterpolate(string name)
    {
        var meta = Fixture.Metadata[name];
        var x = HashedWeights.Image("resize:" + name["resize_".Length..], new Shape(ShapeOf(meta)));
        var size = ShapeOf(meta, "size");
        var report = new Worst();
        report.Compare("resized", Ops.ResizeBilinear(x, size[0], size[1]), Fixture[name + ".y"]);
        // PyTorch computes the source coordinates and weights in float32, we in float64: a few float32 ulps apart.
        report.AssertWithin(1e-5, name);
    }

    [Test]
    public void LoadReadsASafetensorsFileAndGivesTheSameFeatures()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "inception.safetensors");
        SafeTensors.Save(path, HashedWeights.InceptionState);
        using var net = InceptionV3.Load(path);
        Assert.That(net.NumClasses, Is.EqualTo(1008));
        var images = HashedWeights.Image("image:grey28", new Shape(ShapeOf(Fixture.Metadata["grey28"])));
        var report = new Worst();
        report.Compare("features", net.Evaluate(images).Features, Fixture["grey28.features"]);
        report.AssertWithin(Tolerance, "loaded from a file");
    }

    /// <summary>The worst error relative to each expected tensor's largest magnitude, and where it was.</summary>
    private sealed class Worst
    {
        private double _error;
        private string _where = "nothing compared";

        public void Compare(string what, Tensor actual, Tensor expected) => Compare(what, actual.ToDoubleArray(), expected, actual.Shape);

        public void Compare(string what, double[,] actual, Tensor expected) =>
            Compare(what, actual.Cast<double>().ToArray(), expected, new Shape(actual.GetLength(0), actual.GetLength(1)));

        private void Compare(string what, double[] a, Tensor expected, Shape shape)
        {
            Assert.That(shape, Is.EqualTo(expected.Shape), what + " shape");
            var e = expected.ToDoubleArray();
            double scale = e.Max(Math.Abs), worst = 0;
            for (int i = 0; i < e.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - e[i]));
            double rel = worst / Math.Max(scale, double.Epsilon);
            if (double.IsNaN(rel) || e.Any(double.IsNaN)) rel = double.PositiveInfinity; // a NaN anywhere fails
            if (rel >= _error) (_error, _where) = (rel, what);
        }

        public void AssertWithin(double tolerance, string label)
        {
            string line = string.Create(CultureInfo.InvariantCulture, $"{label}: worst error {_error:E2} of the largest magnitude, in {_where}");
            TestContext.Out.WriteLine(line);
            Assert.That(_error, Is.LessThan(tolerance), line);
        }
    }
}
