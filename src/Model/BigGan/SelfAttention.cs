using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// SA-GAN's non-local block (BIGGAN.md "Self-attention"): theta, phi (C → C/8) and g (C → C/2) 1x1 convolutions
/// without bias, phi and g 2x2 max-pooled; beta = softmax over the HW/4 key positions of thetaᵀ·phi;
/// o = conv1x1(C/2 → C)(g·betaᵀ); output x + gamma·o with gamma a scalar starting at 0. All convs spectrally
/// normalised. Names as the reference: theta, phi, g, o, gamma.
/// </summary>
public sealed class SelfAttention : Module
{
    private readonly int _channels;

    /// <summary>Creates the block for <paramref name="channels"/> channels (at least 8); layer seeds come from <paramref name="seeds"/>.</summary>
    public SelfAttention(int channels, BigGanConfig config, SeedSequence seeds, Device? device = null)
    {
        if (channels < 8) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Self-attention needs at least 8 channels (theta and phi have C/8).");
        var layers = new LayerFactory(config, seeds, device);
        _channels = channels;
        Theta = Child("theta", layers.SnConv(channels, channels / 8, kernel: 1, bias: false));
        Phi = Child("phi", layers.SnConv(channels, channels / 8, kernel: 1, bias: false));
        G = Child("g", layers.SnConv(channels, channels / 2, kernel: 1, bias: false));
        O = Child("o", layers.SnConv(channels / 2, channels, kernel: 1, bias: false));
        Gamma = Parameter("gamma", Tensor.Zeros([], layers.DType, layers.Device));
    }

    /// <summary>Query map C → C/8.</summary>
    public Conv2d Theta { get; }

    /// <summary>Key map C → C/8 (then 2x2 max-pooled).</summary>
    public Conv2d Phi { get; }

    /// <summary>Value map C → C/2 (then 2x2 max-pooled).</summary>
    public Conv2d G { get; }

    /// <summary>Output map C/2 → C.</summary>
    public Conv2d O { get; }

    /// <summary>The residual gain, a scalar starting at 0.</summary>
    public Tensor Gamma { get; }

    /// <summary>x (N, C, H, W) with H and W even → same shape.</summary>
    public Tensor Forward(Tensor x)
    {
        int n = x.Shape[0], h = x.Shape[2], w = x.Shape[3], positions = h * w;
        if (x.Shape[1] != _channels || h % 2 != 0 || w % 2 != 0)
            throw new ArgumentException($"Self-attention over {_channels} channels needs (N, {_channels}, H, W) with even H and W, got {x.Shape}.", nameof(x));
        var theta = Ops.Reshape(Theta.Forward(x), n, _channels / 8, positions);
        var phi = Ops.Reshape(Ops.MaxPool2d(Phi.Forward(x)), n, _channels / 8, positions / 4);
        var g = Ops.Reshape(Ops.MaxPool2d(G.Forward(x)), n, _channels / 2, positions / 4);
        var beta = Ops.Softmax(Ops.BatchedMatMul(theta, phi, transA: true)); // (N, HW, HW/4)
        var attended = Ops.Reshape(Ops.BatchedMatMul(g, beta, transB: true), n, _channels / 2, h, w);
        return Ops.Add(x, Ops.Mul(Gamma, O.Forward(attended)));
    }
}
