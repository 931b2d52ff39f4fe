using RawGan.Engine;
using RawGan.Engine.Rng;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Tests.Training;

using Ops = RawGan.Engine.Ops;

/// <summary>Random images in (−1, 1) and labels for a BigGAN configuration, a fresh batch per call, the same sequence for every instance.</summary>
internal sealed class NoiseBatches(int batchSize, BigGanConfig config, Device device) : IRealBatches
{
    private readonly PhiloxGenerator _random = new(77);

    public (Tensor Images, Tensor Labels) Next()
    {
        var images = Ops.Tanh(_random.Normal([batchSize, config.ImageChannels, config.Resolution, config.Resolution], device: device));
        var labels = Tensor.FromArray(Enumerable.Range(0, batchSize).Select(i => (i * 7 + (int)_random.Offset) % config.NumClasses).ToArray(), device);
        return (images, labels);
    }
}
