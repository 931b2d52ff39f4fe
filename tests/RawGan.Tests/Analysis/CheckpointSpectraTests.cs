using RawGan.Engine;
using RawGan.Model.Analysis;
using RawGan.Model.Training;
using RawGan.Tests.IO;
using RawGan.Tests.Training;

namespace RawGan.Tests.Analysis;

/// <summary>Offline spectra from checkpoints, and the growth ranking that the plots and the summary use.</summary>
public class CheckpointSpectraTests
{
    [Test]
    public void CheckpointsGiveTheSameRowsAsTheLiveModules()
    {
        using var folder = new TempFolder();
        var run = RunFolder.Open(folder.Path);
        run.Create();
        var trainer = new GanTrainer<TinyG, TinyD>(new TinyG(1), new TinyD(2), new TinyG(1),
            new TrainingOptions { BatchSize = 4, DStepsPerGStep = 1, GLearningRate = 1e-2, DLearningRate = 1e-2 }, Device.Cpu);
        var batches = new StripeBatches(4);
        var live = new List<WeightSpectrum>();
        for (int c = 0; c < 2; c++)
        {
            for (int s = 0; s < 3; s++) trainer.TrainStep(batches);
            Checkpoint.Save(run.CheckpointPath(trainer.Step), trainer);
            var fresh = new NetworkSpectra();
            live.AddRange(fresh.Compute(trainer.Step, "G", trainer.G));
            live.AddRange(fresh.Compute(trainer.Step, "D", trainer.D));
        }
        var progress = new List<(int, int)>();
        var offline = CheckpointSpectra.Compute(run.Checkpoints(), Device.Cpu, (done, total) => progress.Add((done, total)));

        Assert.That(progress, Is.EqualTo(new[] { (1, 2), (2, 2) }));
        Assert.That(offline.Select(r => (r.Step, r.Network, r.Layer)), Is.EquivalentTo(live.Select(r => (r.Step, r.Network, r.Layer))));
        Assert.That(offline.Select(r => r.Layer).Distinct(), Is.EquivalentTo(new[] { "shared.weight", "fc.weight", "conv.weight", "linear.weight", "embed.weight" }));
        foreach (var o in offline)
        {
            var l = live.Single(r => r.Step == o.Step && r.Network == o.Network && r.Layer == o.Layer);
            Assert.That(o.Sigma0, Is.EqualTo(l.Sigma0).Within(1e-6 * l.Sigma0), $"{o.Network} {o.Layer} at {o.Step}");
            Assert.That(o.SnEstimate, Is.EqualTo(l.SnEstimate), $"{o.Network} {o.Layer} sv0");
        }
    }

    [Test]
    public void GrowthRanksLayersByTheirSigma0Factor()
    {
        var rows = new List<WeightSpectrum>();
        foreach (long step in new long[] { 0, 500, 1000 })
        {
            rows.Add(new WeightSpectrum(step, "G", "slow", 1 + step / 1000.0, 0, 0, 1, 0));      // x2
            rows.Add(new WeightSpectrum(step, "G", "fast", Math.Pow(4, step / 500.0), 0, 0, 1, 0)); // x16
            rows.Add(new WeightSpectrum(step, "G", "shrinking", 1 - step / 2000.0, 0, 0, 1, 0));  // x0.5
            rows.Add(new WeightSpectrum(step, "D", "d", 1, 0, 0, 1, 0));
        }
        var ranked = SpectrumGrowth.Rank(rows, "G");
        Assert.That(ranked.Select(x => x.Layer), Is.EqualTo(new[] { "fast", "slow", "shrinking" }));
        Assert.That(ranked[0].Factor, Is.EqualTo(16).Within(1e-12));
        var summary = SpectrumGrowth.Summarize(rows, top: 2);
        Assert.That(summary, Does.Contain("fast").And.Contain("slow").And.Not.Contain("shrinking"));
    }

    [Test]
    public void GrowthIsReportedOverTheStepsTracedNotExtrapolated()
    {
        // A 20-step trace: σ0 doubles. Extrapolated to 1000 steps that would read x2^50.
        var rows = new long[] { 0, 10, 20 }.Select(step => new WeightSpectrum(step, "G", "w", 1 + step / 20.0, 0, 0, 1, 0)).ToList();
        var summary = SpectrumGrowth.Summarize(rows, top: 1);
        Assert.That(summary, Does.Contain("x2.00 (steps 0 to 20)"));
        Assert.That(summary, Does.Not.Contain("per 1000"));
    }
}
