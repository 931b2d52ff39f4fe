using RawGan.Engine;
using RawGan.Model.Data;
using RawGan.Model.Metrics;
using RawGan.Tests.IO;

namespace RawGan.Tests.Metrics;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

public class GeneratorScoringTests
{
    // A "generator" whose images are a smooth function of z and the label: image = tanh(z_0 + label/2) everywhere
    // in band (label mod 4), z_1 elsewhere.
    private static Tensor Generate(Tensor z, Tensor labels)
    {
        int n = z.Shape[0];
        var zv = z.ToDoubleArray();
        var lv = labels.ToArray<int>();
        int d = z.Shape[1];
        var pixels = new float[n * 8 * 8];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    pixels[i * 64 + y * 8 + x] = (float)Math.Tanh(y / 2 == lv[i] % 4 ? zv[i * d] + lv[i] / 2.0 : zv[i * d + 1]);
        return Tensor.FromArray(pixels, new Shape(n, 1, 8, 8));
    }

    [Test]
    public void TheSameSeedScoresTheSameImages()
    {
        var net = new BandFeatures();
        var a = GeneratorScoring.ScoreGenerator(Generate, 4, 10, net, 200, truncation: 1.0, seed: 3, Device.Cpu, batchSize: 64);
        var b = GeneratorScoring.ScoreGenerator(Generate, 4, 10, net, 200, truncation: 1.0, seed: 3, Device.Cpu, batchSize: 200);
        Assert.That(b.InceptionScore.Mean, Is.EqualTo(a.InceptionScore.Mean).Within(1e-12), "batching does not change the images");
        Assert.That(FrechetDistance.Compute(a.Features, b.Features), Is.EqualTo(0).Within(1e-9));
        var other = GeneratorScoring.ScoreGenerator(Generate, 4, 10, net, 200, truncation: 1.0, seed: 4, Device.Cpu);
        Assert.That(FrechetDistance.Compute(a.Features, other.Features), Is.GreaterThan(1e-6), "another seed, other images");
    }

    [Test]
    public void TruncationNarrowsTheLatentsAndSoTheFeatures()
    {
        var net = new BandFeatures();
        var narrow = GeneratorScoring.ScoreGenerator(Generate, 4, 10, net, 500, truncation: 0.25, seed: 1, Device.Cpu);
        var wide = GeneratorScoring.ScoreGenerator(Generate, 4, 10, net, 500, truncation: null, seed: 1, Device.Cpu);
        double Trace(FeatureStatistics s) => Enumerable.Range(0, s.Dimension).Sum(i => s.Covariance[i * s.Dimension + i]);
        Assert.That(Trace(narrow.Features), Is.LessThan(0.5 * Trace(wide.Features)));
    }

    [Test]
    public void LabelsAreDrawnFromEveryClass()
    {
        var seen = new HashSet<int>();
        GeneratorScoring.ScoreGenerator((z, labels) =>
        {
            seen.UnionWith(labels.ToArray<int>());
            return Generate(z, labels);
        }, 4, 10, new BandFeatures(), 300, null, 0, Device.Cpu);
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void RealStatisticsAreComputedOnceThenReadFromTheCache()
    {
        using var folder = new TempFolder();
        var data = new SyntheticShapes(300, 4, 8, 1, 2);
        var key = new RealStatisticsKey("bands", "0123456789abcdef", "synthetic", "train", 200);
        var net = new BandFeatures();
        var first = RealStatistics.GetOrCompute(key, folder.Path, net, data, Device.Cpu);
        int calls = net.Calls;
        Assert.That(calls, Is.GreaterThan(0));
        Assert.That(File.Exists(Path.Combine(folder.Path, key.FileName)));
        var second = RealStatistics.GetOrCompute(key, folder.Path, net, data, Device.Cpu);
        Assert.That(net.Calls, Is.EqualTo(calls), "the second call reads the cache");
        Assert.That(second.Features.Mean, Is.EqualTo(first.Features.Mean));
        Assert.That(second.Features.Covariance, Is.EqualTo(first.Features.Covariance));
        Assert.That(second.Features.Count, Is.EqualTo(200));
        Assert.That(second.InceptionScore, Is.EqualTo(first.InceptionScore));
        // A different sample count is a different key.
        RealStatistics.GetOrCompute(key with { Samples = 100 }, folder.Path, net, data, Device.Cpu);
        Assert.That(net.Calls, Is.GreaterThan(calls));
    }

    [Test]
    public void ASubsetIsSeededAndDistinct()
    {
        var a = RealStatistics.Subset(1000, 100);
        Assert.That(a, Is.EqualTo(RealStatistics.Subset(1000, 100)));
        Assert.That(a.Distinct().Count(), Is.EqualTo(100));
        Assert.That(RealStatistics.Subset(50, 50), Is.EqualTo(Enumerable.Range(0, 50)));
    }

    [Test]
    public void EvalRecordsRoundTripThroughTheLog()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, EvalLog.FileName);
        var record = new EvalRecord
        {
            Source = "eval", Step = 700, Checkpoint = "checkpoints/step_00000700.safetensors", Network = "mnist-classifier", NetworkFingerprint = "ab",
            Dataset = "mnist", RealSplit = "train", RealSamples = 60000, Samples = 10000, Truncation = null, IsMean = 9.1, IsStd = 0.05, Fid = 3.25, Seconds = 12,
        };
        EvalLog.Append(path, [record, record with { Truncation = 0.5 }]);
        EvalLog.Append(path, [record with { Step = 800 }]);
        var back = EvalLog.Read(path);
        Assert.That(back, Has.Count.EqualTo(3));
        Assert.That(back[0], Is.EqualTo(record));
        Assert.That(back[1].Truncation, Is.EqualTo(0.5));
        Assert.That(back[2].Step, Is.EqualTo(800));
    }

    [TestCase("none", null)]
    [TestCase(" 0.25", 0.25)]
    [TestCase("2", 2.0)]
    public void ParsesTruncationThresholds(string text, double? expected) =>
        Assert.That(EvalRecord.ParseTruncation(text), Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("full")]
    public void RejectsBadTruncationThresholds(string text) =>
        Assert.Throws<ArgumentException>(() => EvalRecord.ParseTruncation(text));

    [Test]
    public void ScoringUsesTheImagesAsGiven()
    {
        // Identical images in both sets: FID 0 and matching Inception Scores, whatever the batching.
        var data = new SyntheticShapes(120, 4, 8, 1, 9);
        var images = Enumerable.Range(0, 120).Select(i =>
        {
            var px = new float[64];
            data.Read(i, px);
            return px;
        }).ToArray();
        ImageScores Run(int batch)
        {
            int at = 0;
            return GeneratorScoring.Score(new BandFeatures(), 120, batch, n =>
            {
                var t = Tensor.FromArray(images.Skip(at).Take(n).SelectMany(p => p).ToArray(), new Shape(n, 1, 8, 8));
                at += n;
                return Ops.Reshape(t, new Shape(n, 1, 8, 8));
            });
        }
        var a = Run(7);
        var b = Run(120);
        Assert.That(FrechetDistance.Compute(a.Features, b.Features), Is.EqualTo(0).Within(1e-9));
        Assert.That(a.InceptionScore.Mean, Is.EqualTo(b.InceptionScore.Mean).Within(1e-12));
    }
}
