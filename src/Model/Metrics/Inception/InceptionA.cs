using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>
/// Mixed_5b/5c/5d (35×35): 1×1, 5×5 and double-3×3 branches and a pooled 1×1 branch, concatenated. The FID
/// variant (pytorch-fid's FIDInceptionA) averages the pool branch without counting the padding, as the TF graph.
/// </summary>
public sealed class InceptionA : Module
{
    private readonly BasicConv2d _b1, _b5a, _b5b, _b3a, _b3b, _b3c, _pool;

    /// <summary>Out channels: 64 + 64 + 96 + <paramref name="poolFeatures"/>.</summary>
    public InceptionA(int inChannels, int poolFeatures, Device? device)
    {
        _b1 = Child("branch1x1", new BasicConv2d(inChannels, 64, 1, device: device));
        _b5a = Child("branch5x5_1", new BasicConv2d(inChannels, 48, 1, device: device));
        _b5b = Child("branch5x5_2", new BasicConv2d(48, 64, 5, padding: 2, device: device));
        _b3a = Child("branch3x3dbl_1", new BasicConv2d(inChannels, 64, 1, device: device));
        _b3b = Child("branch3x3dbl_2", new BasicConv2d(64, 96, 3, padding: 1, device: device));
        _b3c = Child("branch3x3dbl_3", new BasicConv2d(96, 96, 3, padding: 1, device: device));
        _pool = Child("branch_pool", new BasicConv2d(inChannels, poolFeatures, 1, device: device));
    }

    /// <summary>The block's output.</summary>
    public Tensor Forward(Tensor x) => Ops.Cat(
    [
        _b1.Forward(x),
        _b5b.Forward(_b5a.Forward(x)),
        _b3c.Forward(_b3b.Forward(_b3a.Forward(x))),
        _pool.Forward(Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: false)),
    ], 1);
}
