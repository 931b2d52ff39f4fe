using RawGan.Model.Data;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>The synthetic data set: deterministic from its seed, in range, and with classes that tell apart.</summary>
public class SyntheticShapesTests
{
    [TestCase(1)]
    [TestCase(3)]
    public void SameSeedSameSamplesOtherSeedOtherSamples(int channels)
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        var a = new SyntheticShapes(50, channels: channels, seed: seed);
        var b = new SyntheticShapes(50, channels: channels, seed: seed);
        var c = new SyntheticShapes(50, channels: channels, seed: seed + 1);
        int index = rng.Int(0, 50);
        var (sa, sb, sc) = (Sample(a, index), Sample(b, index), Sample(c, index));
        Assert.That(sb, Is.EqualTo(sa), rng.ToString());
        Assert.That(sc, Is.Not.EqualTo(sa), rng.ToString());
        Assert.That(sa, Has.All.InRange(-1f, 1f));
    }

    [Test]
    public void LabelsCycleThroughTheClasses()
    {
        var data = new SyntheticShapes(23, numClasses: 7);
        var buffer = new float[32 * 32];
        Assert.That(Enumerable.Range(0, 23).Select(i => data.Read(i, buffer)), Is.EqualTo(Enumerable.Range(0, 23).Select(i => i % 7)));
        Assert.That(data.ClassNames, Has.Count.EqualTo(7));
    }

    [Test]
    public void EachClassIsABlobAtItsOwnPlace()
    {
        var rng = TestRng.Fresh();
        const int classes = 10, resolution = 32;
        var data = new SyntheticShapes(classes * 20, classes, resolution, seed: (ulong)rng.Int(0, int.MaxValue));
        var peaks = new HashSet<int>();
        for (int k = 0; k < classes; k++)
        {
            // The mean image of a class peaks where its blob sits; samples jitter around it.
            var mean = new double[resolution * resolution];
            for (int i = k; i < data.Count; i += classes)
            {
                var s = Sample(data, i);
                for (int p = 0; p < mean.Length; p++) mean[p] += s[p];
            }
            int peak = Array.IndexOf(mean, mean.Max());
            Assert.That(peaks.Add(peak), $"class {k} peaks where another class does; {rng}");
            var single = Sample(data, k);
            Assert.That(single.Count(v => v > 0), Is.InRange(10, resolution * resolution / 4), $"class {k} shows a blob, not an empty or full image; {rng}");
        }
    }

    private static float[] Sample(IImageDataset data, int index)
    {
        var s = new float[data.SampleSize()];
        data.Read(index, s);
        return s;
    }
}
