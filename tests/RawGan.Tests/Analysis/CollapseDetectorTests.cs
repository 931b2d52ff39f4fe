using RawGan.Model.Analysis;

namespace RawGan.Tests.Analysis;

/// <summary>The detector's logic on synthetic signal series.</summary>
public class CollapseDetectorTests
{
    private static readonly CollapseOptions Options = new() { WarmupSteps = 10, SigmaWindow = 20, SigmaGrowth = 2, LossWindow = 5, DRealFloor = 0.05, GLossJump = 0.5, DiversityDrop = 0.3, MinSignals = 2 };

    private static IEnumerable<WeightSpectrum> G(long step, double sigma0, string layer = "blocks.0.conv1.weight") =>
        [new WeightSpectrum(step, "G", layer, sigma0, sigma0 / 2, sigma0 / 4, 1, 0)];

    private static void HealthyLosses(CollapseDetector d, long from, long to)
    {
        for (long s = from; s <= to; s++) d.ObserveLosses(s, 0.8, 0.3);
    }

    [Test]
    public void SteadySignalsRaiseNoEvent()
    {
        var d = new CollapseDetector(Options);
        for (long s = 0; s <= 200; s += 10)
        {
            d.ObserveSpectra(G(s, 1 + 0.001 * s)); // σ0 grows 2% per window
            d.ObserveDiversity(0.2 + 0.01 * Math.Sin(s));
        }
        HealthyLosses(d, 1, 200);
        Assert.That(d.Signals().Count(x => x.Fired), Is.Zero);
        Assert.That(d.Check(200), Is.Null);
    }

    [Test]
    public void SigmaGrowthMeasuresTheFastestLayerOverTheWindow()
    {
        var d = new CollapseDetector(Options with { MinSignals = 1 });
        for (long s = 0; s <= 40; s += 10)
        {
            d.ObserveSpectra(G(s, 1.0, "steady.weight"));
            d.ObserveSpectra(G(s, s < 30 ? 1.0 : 2.5, "exploding.weight"));
            d.ObserveSpectra([new WeightSpectrum(s, "D", "d.weight", 100 * (s + 1), 0, 0, 1, 0)]); // D is not watched
        }
        var sigma = d.Signals().Single(x => x.Name == "sigma_growth");
        Assert.That(sigma.Fired, Is.True);
        Assert.That(sigma.Layer, Is.EqualTo("exploding.weight"));
        Assert.That(sigma.Evidence["ratio"], Is.EqualTo(2.5));
        Assert.That(d.Check(40)!.Describe(), Is.EqualTo("sigma_growth (exploding.weight)"));
    }

    [Test]
    public void SigmaGrowthNeedsAWholeWindowOfHistory()
    {
        var d = new CollapseDetector(Options with { MinSignals = 1 });
        d.ObserveSpectra(G(0, 1));
        d.ObserveSpectra(G(10, 5)); // a factor 5, but only half a window later
        Assert.That(d.Signals().Single(x => x.Name == "sigma_growth").Fired, Is.False);
        d.ObserveSpectra(G(20, 5));
        Assert.That(d.Signals().Single(x => x.Name == "sigma_growth").Fired, Is.True);
    }

    [Test]
    public void LossSignalNeedsDRealNearZeroAndAGJump()
    {
        var d = new CollapseDetector(Options with { MinSignals = 1 });
        for (long s = 1; s <= 5; s++) d.ObserveLosses(s, 0.02, 0.3);
        for (long s = 6; s <= 10; s++) d.ObserveLosses(s, 0.02, 0.6); // D real near 0, but G rose by only 0.3
        Assert.That(d.Signals().Single(x => x.Name == "losses").Fired, Is.False);
        for (long s = 11; s <= 15; s++) d.ObserveLosses(s, 0.02, 1.5); // G jumps by 0.9
        var losses = d.Signals().Single(x => x.Name == "losses");
        Assert.That(losses.Fired, Is.True);
        Assert.That(losses.Evidence["d_real_mean"], Is.EqualTo(0.02).Within(1e-12));
        Assert.That(losses.Evidence["g_jump"], Is.EqualTo(0.9).Within(1e-12));

        var strongD = new CollapseDetector(Options with { MinSignals = 1 });
        for (long s = 1; s <= 5; s++) strongD.ObserveLosses(s, 0.5, 0.3);
        for (long s = 6; s <= 10; s++) strongD.ObserveLosses(s, 0.5, 1.5); // G jumps, but D still loses on real data
        Assert.That(strongD.Signals().Single(x => x.Name == "losses").Fired, Is.False);
    }

    [Test]
    public void DiversitySignalComparesWithTheRunsLargest()
    {
        var d = new CollapseDetector(Options with { MinSignals = 1 });
        d.ObserveDiversity(0.05);
        d.ObserveDiversity(0.2);
        d.ObserveDiversity(0.07);
        Assert.That(d.Signals().Single(x => x.Name == "sample_diversity").Fired, Is.False, "0.07 is 35% of the largest");
        d.ObserveDiversity(0.05);
        var signal = d.Signals().Single(x => x.Name == "sample_diversity");
        Assert.That(signal.Fired, Is.True);
        Assert.That(signal.Evidence["fraction"], Is.EqualTo(0.25).Within(1e-12));
    }

    [Test]
    public void AnEventNeedsEnoughSignalsAfterTheWarmUpAndThenWaitsAWindow()
    {
        var d = new CollapseDetector(Options);
        d.ObserveDiversity(0.2);
        d.ObserveDiversity(0.01);
        d.ObserveSpectra(G(0, 1));
        Assert.That(d.Check(20), Is.Null, "one signal of the two required");
        d.ObserveSpectra(G(20, 3));
        Assert.That(d.Check(9), Is.Null, "inside the warm-up");
        var e = d.Check(20);
        Assert.That(e, Is.Not.Null);
        Assert.That(e!.Step, Is.EqualTo(20));
        Assert.That(e.Signals.Where(s => s.Fired).Select(s => s.Name), Is.EquivalentTo(new[] { "sigma_growth", "sample_diversity" }));
        Assert.That(d.Check(24), Is.Null, "one event per loss window");
        Assert.That(d.Check(25), Is.Not.Null);
    }

    [Test]
    public void MeanPairwiseDistanceOfIdenticalImagesIsZero()
    {
        var same = RawGan.Engine.Tensor.FromArray(Enumerable.Repeat(new float[] { 0.5f, -1, 1, 0 }, 3).SelectMany(x => x).ToArray(), new RawGan.Engine.Shape(3, 1, 2, 2));
        Assert.That(SampleDiversity.MeanPairwiseDistance(same), Is.EqualTo(0).Within(1e-12));
        // Pairs (0,1), (0,2), (1,2) of 1-pixel images 0, 1, 3: RMS distances 1, 3, 2.
        var spread = RawGan.Engine.Tensor.FromArray(new float[] { 0, 1, 3 }, new RawGan.Engine.Shape(3, 1, 1, 1));
        Assert.That(SampleDiversity.MeanPairwiseDistance(spread), Is.EqualTo(2).Within(1e-12));
    }

    [Test]
    public void WithinRowDistanceSeesOneImagePerClass()
    {
        // Two rows (classes) of three 1-pixel images: row 0 is 0, 0, 0 (collapsed), row 1 is 0, 1, 3 (distances 1, 3, 2).
        var sheet = RawGan.Engine.Tensor.FromArray(new float[] { 0, 0, 0, 0, 1, 3 }, new RawGan.Engine.Shape(6, 1, 1, 1));
        Assert.That(SampleDiversity.MeanPairwiseDistance(sheet, 3), Is.EqualTo((0 + 2) / 2.0).Within(1e-12));
        // Every row one image, the rows different: the whole sheet still looks diverse, the rows do not.
        var collapsed = RawGan.Engine.Tensor.FromArray(new float[] { 0, 0, 0, 5, 5, 5 }, new RawGan.Engine.Shape(6, 1, 1, 1));
        Assert.That(SampleDiversity.MeanPairwiseDistance(collapsed, 3), Is.EqualTo(0).Within(1e-12));
        Assert.That(SampleDiversity.MeanPairwiseDistance(collapsed), Is.EqualTo(5 * 9 / 15.0).Within(1e-12));
        Assert.That(() => SampleDiversity.MeanPairwiseDistance(collapsed, 4), Throws.ArgumentException);
        Assert.That(() => SampleDiversity.MeanPairwiseDistance(collapsed, 1), Throws.ArgumentException);
    }
}
