using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>
/// Inception's unit: a convolution without bias, batch norm (eps 0.001, as the TF graph the FID weights come from)
/// and ReLU. Kernels may be rectangular (1×7, 7×1, 1×3, 3×1) with their own padding per axis. Parameter names are
/// torchvision's: <c>conv.weight</c>, <c>bn.weight</c>, <c>bn.bias</c>, <c>bn.running_mean</c>, <c>bn.running_var</c>.
/// </summary>
public sealed class BasicConv2d : Module
{
    private readonly (int H, int W) _stride, _padding;
    private readonly BatchNorm _bn;

    /// <summary>Creates the unit with zero weights (they are loaded afterwards).</summary>
    public BasicConv2d(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride = default,
                       (int H, int W) padding = default, Device? device = null)
    {
        _stride = stride == default ? (1, 1) : stride;
        _padding = padding;
        var conv = Child("conv", new ConvWeight(outChannels, inChannels, kernel, device));
        Weight = conv.Weight;
        _bn = Child("bn", new BatchNorm(outChannels, eps: 0.001, device: device));
    }

    /// <summary>Square kernel, same stride and padding on both axes.</summary>
    public BasicConv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, Device? device = null)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding), device)
    {
    }

    /// <summary>Convolution weight (K, C, R, S).</summary>
    public Tensor Weight { get; }

    /// <summary>relu(bn(conv(x))), with the running statistics in eval mode.</summary>
    public Tensor Forward(Tensor x) => Ops.Relu(_bn.Forward(Ops.Conv2d(x, Weight, null, _stride, _padding)));

    /// <summary>Holds the weight under the name <c>weight</c>, so the unit's key is <c>conv.weight</c>.</summary>
    private sealed class ConvWeight : Module
    {
        public ConvWeight(int outChannels, int inChannels, (int H, int W) kernel, Device? device) =>
            Weight = Parameter("weight", Tensor.Zeros([outChannels, inChannels, kernel.H, kernel.W], DType.Float32, device));

        public Tensor Weight { get; }
    }
}
