using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// Makes the layers of one network with a common dtype, device and spectral-norm setting, handing each layer
/// the next seed of a sequence (for its spectral-norm vector u), so that construction is deterministic.
/// </summary>
internal sealed class LayerFactory(BigGanConfig config, SeedSequence seeds, Device? device)
{
    private readonly SpectralNormOptions? _sn = config.SpectralNorm ? new(config.SnEps, config.SnIterations) : null;

    public BigGanConfig Config { get; } = config;

    public DType DType => Config.DType;

    public Device? Device { get; } = device;

    /// <summary>A spectrally normalised (if configured) k×k convolution with "same" padding.</summary>
    public Conv2d SnConv(int inChannels, int outChannels, int kernel = 3, bool bias = true) =>
        new(inChannels, outChannels, kernel, padding: kernel / 2, bias: bias, sn: _sn, dtype: DType, device: Device, seed: seeds.Next());

    /// <summary>A spectrally normalised (if configured) linear layer.</summary>
    public Linear SnLinear(int inFeatures, int outFeatures, bool bias = true) =>
        new(inFeatures, outFeatures, bias, _sn, DType, Device, seeds.Next());

    /// <summary>An embedding table, spectrally normalised when asked and configured.</summary>
    public Embedding Embedding(int count, int dim, bool spectralNorm) =>
        new(count, dim, spectralNorm ? _sn : null, DType, Device, seeds.Next());
}

/// <summary>Distinct 64-bit seeds derived from one (SplitMix64 of a counter), for the parts of a model.</summary>
public sealed class SeedSequence(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next seed.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
