using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// G's residual block (BIGGAN.md "GBlock"): h = relu(bn1(x, c)); h, x upsampled 2x (nearest); h = conv1(h);
/// h = relu(bn2(h, c)); h = conv2(h); return h + conv_sc(x). The 1x1 shortcut is always present since every G
/// block upsamples (the reference's learnable_sc). Names as the reference: conv1, conv2, conv_sc, bn1, bn2.
/// </summary>
public sealed class GBlock : Module
{
    /// <summary>Creates the block; layer seeds come from <paramref name="seeds"/>.</summary>
    public GBlock(int inChannels, int outChannels, BigGanConfig config, SeedSequence seeds, Device? device = null)
    {
        var layers = new LayerFactory(config, seeds, device);
        Conv1 = Child("conv1", layers.SnConv(inChannels, outChannels));
        Conv2 = Child("conv2", layers.SnConv(outChannels, outChannels));
        ConvShortcut = Child("conv_sc", layers.SnConv(inChannels, outChannels, kernel: 1));
        Bn1 = Child("bn1", new ConditionalBatchNorm(inChannels, config, seeds, device));
        Bn2 = Child("bn2", new ConditionalBatchNorm(outChannels, config, seeds, device));
    }

    /// <summary>First 3x3 convolution (in → out).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Second 3x3 convolution (out → out).</summary>
    public Conv2d Conv2 { get; }

    /// <summary>The 1x1 shortcut convolution.</summary>
    public Conv2d ConvShortcut { get; }

    /// <summary>Conditional BN of the input.</summary>
    public ConditionalBatchNorm Bn1 { get; }

    /// <summary>Conditional BN after the first convolution.</summary>
    public ConditionalBatchNorm Bn2 { get; }

    /// <summary>x (N, in, H, W) and the conditioning (see <see cref="ConditionalBatchNorm.Forward"/>) → (N, out, 2H, 2W).</summary>
    public Tensor Forward(Tensor x, Tensor condition)
    {
        var h = Ops.Upsample2x(Bn1.ForwardRelu(x, condition));
        h = Conv1.Forward(h);
        h = Conv2.Forward(Bn2.ForwardRelu(h, condition));
        return Ops.Add(h, ConvShortcut.Forward(Ops.Upsample2x(x)));
    }
}
