using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>
/// Mixed_7b and 7c (8×8): 1×1, 3×3 split into parallel 1×3 and 3×1, double 3×3 split likewise, and a pooled 1×1
/// branch. The FID variants differ only in that pool: Mixed_7b (FIDInceptionE_1) averages without counting the
/// padding, Mixed_7c (FIDInceptionE_2) takes the maximum (a quirk of the TF graph that the FID weights expect).
/// </summary>
public sealed class InceptionE : Module
{
    private readonly PoolKind _poolKind;
    private readonly BasicConv2d _b1, _b3, _b3a, _b3b, _d1, _d2, _d3a, _d3b, _pool;

    /// <summary>Out channels: 320 + 768 + 768 + 192 = 2048.</summary>
    public InceptionE(int inChannels, PoolKind poolKind, Device? device)
    {
        _poolKind = poolKind;
        _b1 = Child("branch1x1", new BasicConv2d(inChannels, 320, 1, device: device));
        _b3 = Child("branch3x3_1", new BasicConv2d(inChannels, 384, 1, device: device));
        _b3a = Child("branch3x3_2a", new BasicConv2d(384, 384, (1, 3), (1, 1), (0, 1), device));
        _b3b = Child("branch3x3_2b", new BasicConv2d(384, 384, (3, 1), (1, 1), (1, 0), device));
        _d1 = Child("branch3x3dbl_1", new BasicConv2d(inChannels, 448, 1, device: device));
        _d2 = Child("branch3x3dbl_2", new BasicConv2d(448, 384, 3, padding: 1, device: device));
        _d3a = Child("branch3x3dbl_3a", new BasicConv2d(384, 384, (1, 3), (1, 1), (0, 1), device));
        _d3b = Child("branch3x3dbl_3b", new BasicConv2d(384, 384, (3, 1), (1, 1), (1, 0), device));
        _pool = Child("branch_pool", new BasicConv2d(inChannels, 192, 1, device: device));
    }

    /// <summary>The block's output.</summary>
    public Tensor Forward(Tensor x)
    {
        var b3 = _b3.Forward(x);
        var d = _d2.Forward(_d1.Forward(x));
        var pooled = _poolKind == PoolKind.Average ? Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: false) : Ops.MaxPool2d(x, 3, 1, 1);
        return Ops.Cat(
        [
            _b1.Forward(x),
            _b3a.Forward(b3), _b3b.Forward(b3),
            _d3a.Forward(d), _d3b.Forward(d),
            _pool.Forward(pooled),
        ], 1);
    }
}
