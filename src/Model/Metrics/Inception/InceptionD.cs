using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>Mixed_7a, the grid reduction 17×17 → 8×8: strided 3×3 and factorised-7×7-then-strided-3×3 branches and a 3×3 max pool.</summary>
public sealed class InceptionD : Module
{
    private readonly BasicConv2d[] _b3, _b7x3;

    /// <summary>Out channels: 320 + 192 + <paramref name="inChannels"/>.</summary>
    public InceptionD(int inChannels, Device? device)
    {
        _b3 =
        [
            Child("branch3x3_1", new BasicConv2d(inChannels, 192, 1, device: device)),
            Child("branch3x3_2", new BasicConv2d(192, 320, 3, stride: 2, device: device)),
        ];
        _b7x3 =
        [
            Child("branch7x7x3_1", new BasicConv2d(inChannels, 192, 1, device: device)),
            Child("branch7x7x3_2", new BasicConv2d(192, 192, (1, 7), (1, 1), (0, 3), device)),
            Child("branch7x7x3_3", new BasicConv2d(192, 192, (7, 1), (1, 1), (3, 0), device)),
            Child("branch7x7x3_4", new BasicConv2d(192, 192, 3, stride: 2, device: device)),
        ];
    }

    /// <summary>The block's output.</summary>
    public Tensor Forward(Tensor x) => Ops.Cat([InceptionC.Chain(_b3, x), InceptionC.Chain(_b7x3, x), Ops.MaxPool2d(x, 3, 2)], 1);
}
