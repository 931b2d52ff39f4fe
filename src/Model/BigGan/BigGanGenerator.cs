using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// BigGAN's generator (BIGGAN.md "Generator"). Parameter and buffer names are BigGAN-PyTorch's, so a mapping to
/// its checkpoints is the identity up to the spectral-norm buffers' shapes (u0 (1, out) → (out), sv0 (1) → ()):
/// shared.weight, linear.*, blocks.{i}.0.* (GBlock), blocks.{i}.1.* (attention), output_layer.0.* (batch norm),
/// output_layer.2.* (output convolution).
/// </summary>
public sealed class BigGanGenerator : Module, IConditionalGenerator
{
    private readonly List<GBlock> _blocks = [];
    private readonly List<SelfAttention?> _attention = [];

    /// <summary>
    /// Builds and initialises G; the same config and seed give the same weights and spectral-norm vectors. With
    /// <paramref name="initialize"/> false the weights stay zero (the reference's skip_init), for counting parameters
    /// or loading a checkpoint without the cost of orthogonalising large matrices.
    /// </summary>
    public BigGanGenerator(BigGanConfig config, ulong seed = 0, Device? device = null, bool initialize = true)
    {
        Config = config.Validate();
        var seeds = new SeedSequence(seed);
        var layers = new LayerFactory(config, seeds, device);
        var arch = BigGanArchitecture.Generator(config);
        if (config.SharedEmbedding) Shared = Child("shared", layers.Embedding(config.NumClasses, config.SharedDim, spectralNorm: false));
        int bottom = BigGanArchitecture.BottomWidth;
        Linear = Child("linear", layers.SnLinear(config.ZChunk, arch[0].In * bottom * bottom));
        var blocks = Child("blocks", new ModuleList());
        foreach (var spec in arch)
        {
            var stage = blocks.Add(new ModuleList());
            _blocks.Add(stage.Add(new GBlock(spec.In, spec.Out, config, seeds, device)));
            _attention.Add(spec.Attention ? stage.Add(new SelfAttention(spec.Out, config, seeds, device)) : null);
        }
        Output = Child("output_layer", new GeneratorOutput(arch[^1].Out, layers));
        if (initialize) WeightInitializer.Apply(this, config.Init, seeds);
    }

    /// <summary>The configuration (validated).</summary>
    public BigGanConfig Config { get; }

    /// <summary>The shared class embedding (NumClasses, SharedDim), or null without it.</summary>
    public Embedding? Shared { get; }

    /// <summary>First linear layer: one z chunk → 16ch·4·4 (times the table's first multiple).</summary>
    public Linear Linear { get; }

    /// <summary>The residual blocks, from 4x4 up.</summary>
    public IReadOnlyList<GBlock> Blocks => _blocks;

    /// <summary>Output batch norm, ReLU, 3x3 convolution to the image channels.</summary>
    public GeneratorOutput Output { get; }

    /// <inheritdoc/>
    public int DimZ => Config.EffectiveDimZ;

    /// <inheritdoc/>
    public int NumClasses => Config.NumClasses;

    /// <inheritdoc/>
    public Tensor Generate(Tensor z, Tensor labels)
    {
        if (labels.DType != DType.Int32 || labels.Rank != 1 || labels.Shape[0] != z.Shape[0])
            throw new ArgumentException($"Labels must be Int32 (N) matching z's batch, got {labels}.", nameof(labels));
        return Forward(z, Shared is null ? labels : Shared.Forward(labels));
    }

    /// <summary>
    /// The reference's forward(z, y): <paramref name="condition"/> is the shared embedding of the labels
    /// (N, SharedDim), which lets callers interpolate between classes, or the Int32 labels without a shared embedding.
    /// </summary>
    public Tensor Forward(Tensor z, Tensor condition)
    {
        if (z.Rank != 2 || z.Shape[1] != DimZ)
            throw new ArgumentException($"z must be (N, {DimZ}), got {z.Shape}.", nameof(z));
        var conditions = new Tensor[_blocks.Count];
        if (Config.Hierarchical)
        {
            var chunks = Ops.Split(z, 1, Enumerable.Repeat(Config.ZChunk, Config.LatentChunks).ToArray());
            z = chunks[0];
            for (int i = 0; i < conditions.Length; i++) conditions[i] = Ops.Cat([condition, chunks[i + 1]], 1);
        }
        else Array.Fill(conditions, condition);

        int bottom = BigGanArchitecture.BottomWidth;
        var h = Linear.Forward(z);
        h = Ops.Reshape(h, h.Shape[0], h.Shape[1] / (bottom * bottom), bottom, bottom);
        for (int i = 0; i < _blocks.Count; i++)
        {
            h = _blocks[i].Forward(h, conditions[i]);
            if (_attention[i] is { } attention) h = attention.Forward(h);
        }
        return Output.Forward(h);
    }
}

/// <summary>
/// G's output layer, the reference's nn.Sequential(bn, ReLU, conv): children "0" (batch norm) and "2" (conv3x3).
/// Its batch norm keeps eps 1e-5 (<see cref="OutputBatchNorm.ReferenceEps"/>) whatever <see cref="BigGanConfig.BnEps"/>
/// says, as the reference's does.
/// </summary>
public sealed class GeneratorOutput : Module
{
    internal GeneratorOutput(int channels, LayerFactory layers)
    {
        BatchNorm = Child("0", new OutputBatchNorm(channels, OutputBatchNorm.ReferenceEps, layers.DType, layers.Device));
        Conv = Child("2", layers.SnConv(channels, layers.Config.ImageChannels));
    }

    /// <summary>The batch norm with learnable gain and bias.</summary>
    public OutputBatchNorm BatchNorm { get; }

    /// <summary>The 3x3 convolution to the image channels.</summary>
    public Conv2d Conv { get; }

    /// <summary>tanh(conv(relu(bn(h)))): images in [−1, 1].</summary>
    public Tensor Forward(Tensor h) => Ops.Tanh(Conv.Forward(Ops.Relu(BatchNorm.Forward(h))));
}
