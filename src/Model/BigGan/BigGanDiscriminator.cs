using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// BigGAN's projection discriminator (BIGGAN.md "Discriminator"): DBlocks with optional self-attention, then
/// h = Σ_{H,W} relu(h) and out = linear(h) + Σ embed(y) ⊙ h, every layer spectrally normalised (the embedding
/// too). Names are BigGAN-PyTorch's: blocks.{i}.0.* (DBlock), blocks.{i}.1.* (attention), linear.*, embed.*.
/// </summary>
public sealed class BigGanDiscriminator : Module, IConditionalDiscriminator
{
    private readonly List<DBlock> _blocks = [];
    private readonly List<SelfAttention?> _attention = [];

    /// <summary>
    /// Builds and initialises D; the same config and seed give the same weights and spectral-norm vectors. With
    /// <paramref name="initialize"/> false the weights stay zero (the reference's skip_init), for counting parameters
    /// or loading a checkpoint without the cost of orthogonalising large matrices.
    /// </summary>
    public BigGanDiscriminator(BigGanConfig config, ulong seed = 0, Device? device = null, bool initialize = true)
    {
        Config = config.Validate();
        var seeds = new SeedSequence(seed);
        var layers = new LayerFactory(config, seeds, device);
        var arch = BigGanArchitecture.Discriminator(config);
        var blocks = Child("blocks", new ModuleList());
        for (int i = 0; i < arch.Count; i++)
        {
            var spec = arch[i];
            var stage = blocks.Add(new ModuleList());
            _blocks.Add(stage.Add(new DBlock(spec.In, spec.Out, preactivation: i > 0, spec.Downsample, config, seeds, device)));
            _attention.Add(spec.Attention ? stage.Add(new SelfAttention(spec.Out, config, seeds, device)) : null);
        }
        Linear = Child("linear", layers.SnLinear(arch[^1].Out, 1));
        Embed = Child("embed", layers.Embedding(config.NumClasses, arch[^1].Out, spectralNorm: true));
        if (initialize) WeightInitializer.Apply(this, config.Init, seeds);
    }

    /// <summary>The configuration (validated).</summary>
    public BigGanConfig Config { get; }

    /// <summary>The residual blocks, from the image down.</summary>
    public IReadOnlyList<DBlock> Blocks => _blocks;

    /// <summary>The unconditional output layer (16ch → 1).</summary>
    public Linear Linear { get; }

    /// <summary>The projection's class embedding (NumClasses, 16ch).</summary>
    public Embedding Embed { get; }

    /// <inheritdoc/>
    public Tensor Score(Tensor images, Tensor labels)
    {
        int expected = Config.Resolution;
        if (images.Rank != 4 || images.Shape[1] != Config.ImageChannels || images.Shape[2] != expected || images.Shape[3] != expected)
            throw new ArgumentException($"Images must be (N, {Config.ImageChannels}, {expected}, {expected}), got {images.Shape}.", nameof(images));
        if (labels.DType != DType.Int32 || labels.Rank != 1 || labels.Shape[0] != images.Shape[0])
            throw new ArgumentException($"Labels must be Int32 (N) matching the images' batch, got {labels}.", nameof(labels));
        var h = images;
        for (int i = 0; i < _blocks.Count; i++)
        {
            h = _blocks[i].Forward(h);
            if (_attention[i] is { } attention) h = attention.Forward(h);
        }
        h = Ops.Sum(Ops.Relu(h), [2, 3]);
        var projection = Ops.Sum(Ops.Mul(Embed.Forward(labels), h), [1], keepDim: true);
        var scores = Ops.Add(Linear.Forward(h), projection);
        return Ops.Reshape(scores, scores.Shape[0]);
    }
}
