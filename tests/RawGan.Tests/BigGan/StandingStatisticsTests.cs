using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Model.BigGan;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.BigGan;

/// <summary>
/// Standing statistics: a batch norm's cumulative average against means and unbiased variances computed by hand,
/// and the whole of G re-estimated over N batches against the average of each batch's own statistics.
/// </summary>
public class StandingStatisticsTests
{
    [Test]
    public void ACumulativeBatchNormAveragesTheBatchStatisticsByHand()
    {
        var rng = TestRng.Fresh();
        const int n = 3, channels = 4, h = 2, w = 3, batches = 3;
        var norm = new OutputBatchNorm(channels, OutputBatchNorm.ReferenceEps, DType.Float64);
        // Statistics from an earlier training phase: the reset must forget them.
        norm.Forward(rng.Normal([n, channels, h, w], std: 4));
        norm.ResetStatistics();
        norm.Momentum = null;

        var expectedMean = new double[channels];
        var expectedVar = new double[channels];
        for (int b = 0; b < batches; b++)
        {
            var x = rng.Normal([n, channels, h, w], std: 1 + b);
            norm.Forward(x);
            var v = x.ToDoubleArray();
            for (int c = 0; c < channels; c++)
            {
                var values = new List<double>();
                for (int i = 0; i < n; i++)
                    for (int p = 0; p < h * w; p++) values.Add(v[(i * channels + c) * h * w + p]);
                double mean = values.Average();
                double unbiased = values.Sum(value => (value - mean) * (value - mean)) / (values.Count - 1);
                expectedMean[c] += mean / batches;
                expectedVar[c] += unbiased / batches;
            }
        }
        Tolerance.AssertClose(norm.StoredMean, expectedMean, "standing mean", rng);
        Tolerance.AssertClose(norm.StoredVar, expectedVar, "standing variance", rng);
    }

    [Test]
    public void EvalModeForwardsDoNotCountAsBatches()
    {
        var rng = TestRng.Fresh();
        var norm = new OutputBatchNorm(2, OutputBatchNorm.ReferenceEps, DType.Float64);
        norm.ResetStatistics();
        norm.Momentum = null;
        var x = rng.Normal([4, 2, 2, 2]);
        norm.Forward(x);
        var mean = norm.StoredMean.ToDoubleArray();
        norm.Eval();
        norm.Forward(rng.Normal([4, 2, 2, 2], std: 3));
        norm.Train();
        norm.Forward(x);
        // The same batch twice: the average of two equal statistics is the statistic (an eval forward counted as a batch would give weight 1/3).
        Tolerance.AssertClose(norm.StoredMean, mean, "mean after an eval forward in between", rng);
    }

    [Test]
    public void GeneratorStatisticsAreTheAverageOfEachBatchsOwn([Values] bool sharedEmbedding)
    {
        var rng = TestRng.Fresh();
        var config = (sharedEmbedding ? BigGanConfig.Mnist32Small with { GAttention = [], DAttention = [], SharedDim = 8 } : BigGanConfig.Mnist32)
            with { Ch = 4, DimZ = 16, NumClasses = 3, DType = DType.Float64 };
        var g = new BigGanGenerator(config, seed: (ulong)rng.Int(0, 1000));
        const int batches = 3, batchSize = 5;
        var inputs = Enumerable.Range(0, batches).Select(_ =>
            (Z: rng.Normal([batchSize, g.DimZ]), Labels: Tensor.FromArray(rng.Indices(batchSize, config.NumClasses), new Shape(batchSize)))).ToList();
        var spectralNorm = g.NamedBuffers().Where(b => b.Key.EndsWith("u0", StringComparison.Ordinal) || b.Key.EndsWith("sv0", StringComparison.Ordinal))
            .ToDictionary(b => b.Key, b => b.Value.ToDoubleArray());
        var norms = StandingStatistics.RunningStatistics(g).ToList();
        Assert.That(norms, Has.Count.EqualTo(2 * config.GBlockCount + 1), "two conditional BNs per block and the output BN");

        // Each batch's own statistics: momentum 1 makes the running statistics that batch's, in a G whose other
        // layers are in eval mode as StandingStatistics leaves them.
        var expectedMean = norms.Select(x => new double[x.Norm.StoredMean.Numel]).ToList();
        var expectedVar = norms.Select(x => new double[x.Norm.StoredVar.Numel]).ToList();
        var reference = new BigGanGenerator(config, seed: 0, initialize: false);
        reference.LoadStateDict(g.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value));
        var referenceNorms = StandingStatistics.RunningStatistics(reference).ToList();
        reference.Eval();
        foreach (var (module, norm) in referenceNorms)
        {
            module.Train();
            foreach (var (_, child) in module.NamedChildren()) child.Eval();
            norm.Momentum = 1.0;
        }
        foreach (var (z, labels) in inputs)
        {
            using (GradMode.Disable()) reference.Generate(z, labels);
            for (int i = 0; i < norms.Count; i++)
            {
                var m = referenceNorms[i].Norm.StoredMean.ToDoubleArray();
                var v = referenceNorms[i].Norm.StoredVar.ToDoubleArray();
                for (int c = 0; c < m.Length; c++)
                {
                    expectedMean[i][c] += m[c] / batches;
                    expectedVar[i][c] += v[c] / batches;
                }
            }
        }

        int next = 0;
        StandingStatistics.Accumulate(g, batches, batchSize, n =>
        {
            Assert.That(n, Is.EqualTo(batchSize));
            return inputs[next++];
        });

        Assert.That(next, Is.EqualTo(batches));
        for (int i = 0; i < norms.Count; i++)
        {
            Tolerance.AssertClose(norms[i].Norm.StoredMean, expectedMean[i], $"standing mean of BN {i}", rng);
            Tolerance.AssertClose(norms[i].Norm.StoredVar, expectedVar[i], $"standing variance of BN {i}", rng);
            Assert.That(norms[i].Norm.Momentum, Is.EqualTo(0.1), "the momentum is restored");
        }
        Assert.That(g.Training, Is.False, "G is left in eval mode");
        Assert.That(norms.All(x => !x.Module.Training), Is.True, "its batch norms too");
        foreach (var (name, buffer) in g.NamedBuffers().Where(b => spectralNorm.ContainsKey(b.Key)))
            Assert.That(buffer.ToDoubleArray(), Is.EqualTo(spectralNorm[name]), $"{name}: the spectral norm is not updated");
    }
}
