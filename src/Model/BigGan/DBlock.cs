using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// D's residual block (BIGGAN.md "DBlock"): h = preactivation ? relu(x) : x; h = conv2(relu(conv1(h)));
/// h = avgpool(h) when downsampling; return h + shortcut(x). The 1x1 shortcut exists only when the channels change
/// or the block downsamples; pre-activated blocks convolve then pool it, the first block pools then convolves.
/// Names as the reference: conv1, conv2, conv_sc.
/// </summary>
public sealed class DBlock : Module
{
    private readonly bool _preactivation, _downsample;

    /// <summary>Creates the block; layer seeds come from <paramref name="seeds"/>.</summary>
    public DBlock(int inChannels, int outChannels, bool preactivation, bool downsample, BigGanConfig config, SeedSequence seeds, Device? device = null)
    {
        var layers = new LayerFactory(config, seeds, device);
        _preactivation = preactivation;
        _downsample = downsample;
        Conv1 = Child("conv1", layers.SnConv(inChannels, outChannels));
        Conv2 = Child("conv2", layers.SnConv(outChannels, outChannels));
        if (inChannels != outChannels || downsample) ConvShortcut = Child("conv_sc", layers.SnConv(inChannels, outChannels, kernel: 1));
    }

    /// <summary>First 3x3 convolution (in → out).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Second 3x3 convolution (out → out).</summary>
    public Conv2d Conv2 { get; }

    /// <summary>The 1x1 shortcut convolution, or null when the shortcut is the identity.</summary>
    public Conv2d? ConvShortcut { get; }

    /// <summary>x (N, in, H, W) → (N, out, H/2, W/2) when downsampling, else (N, out, H, W).</summary>
    public Tensor Forward(Tensor x)
    {
        var h = _preactivation ? Ops.Relu(x) : x;
        h = Conv2.Forward(Ops.Relu(Conv1.Forward(h)));
        if (_downsample) h = Ops.AvgPool2d(h);
        return Ops.Add(h, Shortcut(x));
    }

    private Tensor Shortcut(Tensor x)
    {
        if (_preactivation)
        {
            if (ConvShortcut is not null) x = ConvShortcut.Forward(x);
            if (_downsample) x = Ops.AvgPool2d(x);
        }
        else
        {
            if (_downsample) x = Ops.AvgPool2d(x);
            if (ConvShortcut is not null) x = ConvShortcut.Forward(x);
        }
        return x;
    }
}
