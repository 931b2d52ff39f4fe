using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.BigGan;

/// <summary>G's output layer as the reference builds it: its batch norm's eps is layers.bn's default, not BN_eps.</summary>
public class GeneratorOutputTests
{
    [Test]
    public void GsOutputBatchNormKeepsTheReferenceEpsWhateverBnEpsSays()
    {
        var rng = TestRng.Fresh();
        var config = BigGanConfig.Mnist32 with { Ch = 4, NumClasses = 3, BnEps = 0.25, DType = DType.Float64 };
        var g = new BigGanGenerator(config);
        var output = g.Output.BatchNorm;
        Assert.That(output.Eps, Is.EqualTo(1e-5));

        // In eval mode with small running variances, eps decides the output: compare with the formula at 1e-5.
        int channels = (int)output.StoredVar.Numel;
        var variance = rng.UniformArray(channels, 1e-4, 1e-3);
        var mean = rng.NormalArray(channels);
        output.StoredVar.Backend.CopyFromHost<double>(variance, output.StoredVar.Storage, 0);
        output.StoredMean.Backend.CopyFromHost<double>(mean, output.StoredMean.Storage, 0);
        output.Eval();
        var x = rng.Normal([2, channels, 2, 2]);
        var y = output.Forward(x);
        var v = x.ToDoubleArray();
        var expected = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int c = i / 4 % channels;
            expected[i] = (v[i] - mean[c]) / Math.Sqrt(variance[c] + 1e-5);
        }
        Tolerance.AssertClose(y, expected, "output BN in eval mode", rng);

        // The conditional batch norms keep BnEps: with zero gain and bias tables and running statistics (0, 1),
        // their eval output is h / sqrt(1 + 0.25).
        var bn = g.Blocks[0].Bn1;
        foreach (var (_, p) in bn.NamedParameters()) p.Backend.Fill(p.Storage, 0);
        bn.Eval();
        var h = rng.Normal([2, (int)bn.StoredVar.Numel, 2, 2]);
        var conditional = bn.Forward(h, Tensor.FromArray(new[] { 0, 2 }, new Shape(2)));
        Tolerance.AssertClose(conditional, h.ToDoubleArray().Select(value => value / Math.Sqrt(1.25)).ToArray(), "conditional BN in eval mode", rng);
    }
}
