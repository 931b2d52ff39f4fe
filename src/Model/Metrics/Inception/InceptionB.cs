using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>Mixed_6a, the grid reduction 35×35 → 17×17: strided 3×3 and double-3×3 branches and a 3×3 max pool.</summary>
public sealed class InceptionB : Module
{
    private readonly BasicConv2d _b3, _b3a, _b3b, _b3c;

    /// <summary>Out channels: 384 + 96 + <paramref name="inChannels"/>.</summary>
    public InceptionB(int inChannels, Device? device)
    {
        _b3 = Child("branch3x3", new BasicConv2d(inChannels, 384, 3, stride: 2, device: device));
        _b3a = Child("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1, device: device));
        _b3b = Child("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1, device: device));
        _b3c = Child("branch3x3dbl_3", new BasicConv2d(96, 96, 3, stride: 2, device: device));
    }

    /// <summary>The block's output.</summary>
    public Tensor Forward(Tensor x) => Ops.Cat(
    [
        _b3.Forward(x),
        _b3c.Forward(_b3b.Forward(_b3a.Forward(x))),
        Ops.MaxPool2d(x, 3, 2),
    ], 1);
}
