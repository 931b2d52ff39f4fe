using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.BigGan;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The layer's fused path (what G's blocks call) against relu of its unfused forward: outputs, running statistics
/// and the gradients of x and of the gain and bias maps, with class tables and with the shared embedding.
/// </summary>
public class ConditionalBatchNormTests
{
    [Test]
    public void ForwardReluIsReluOfForward([Values] bool sharedEmbedding, [Values] bool training)
    {
        var rng = TestRng.Fresh();
        var config = (sharedEmbedding ? BigGanConfig.Mnist32Small : BigGanConfig.Mnist32) with { DType = DType.Float64 };
        const int n = 4, channels = 6;
        var fused = new ConditionalBatchNorm(channels, config, new SeedSequence(11));
        var plain = new ConditionalBatchNorm(channels, config, new SeedSequence(11));
        // Both get the same weights (as G would initialise them): zero weights would make σ zero.
        WeightInitializer.Apply(fused, config.Init, new SeedSequence(12));
        WeightInitializer.Apply(plain, config.Init, new SeedSequence(12));
        fused.Train(training);
        plain.Train(training);
        var condition = sharedEmbedding
            ? rng.Normal([n, config.ConditioningDim])
            : Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % config.NumClasses).ToArray(), new Shape(n));
        var x = rng.Normal([n, channels, 3, 5], requiresGrad: true, std: 1.5);
        var xPlain = x.Clone();
        xPlain.RequiresGrad = true;
        var dy = rng.Normal([n, channels, 3, 5]);

        var y = fused.ForwardRelu(x, condition);
        var yPlain = Ops.Relu(plain.Forward(xPlain, condition));
        y.Backward(dy);
        yPlain.Backward(dy);

        Tolerance.AssertClose(y, yPlain.ToDoubleArray(), "output");
        Tolerance.AssertClose(fused.StoredMean, plain.StoredMean.ToDoubleArray(), "running mean");
        Tolerance.AssertClose(fused.StoredVar, plain.StoredVar.ToDoubleArray(), "running variance");
        Tolerance.AssertClose(x.Grad!, xPlain.Grad!.ToDoubleArray(), "dx");
        var plainParameters = plain.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        Assert.That(fused.NamedParameters().Select(p => p.Key), Is.EquivalentTo(plainParameters.Keys));
        foreach (var (name, p) in fused.NamedParameters())
        {
            Assert.That(p.Grad, Is.Not.Null, $"{name} gets a gradient");
            Tolerance.AssertClose(p.Grad!, plainParameters[name].Grad!.ToDoubleArray(), $"d{name}");
        }
    }
}
