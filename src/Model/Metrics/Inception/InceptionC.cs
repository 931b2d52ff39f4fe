using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>
/// Mixed_6b–6e (17×17): 1×1, factorised 7×7 (1×7 then 7×1) and double factorised 7×7 branches and a pooled 1×1
/// branch. The FID variant (FIDInceptionC) averages the pool branch without counting the padding.
/// </summary>
public sealed class InceptionC : Module
{
    private readonly BasicConv2d _b1, _pool;
    private readonly BasicConv2d[] _b7, _b7dbl;

    /// <summary>Out channels: 4 × 192; <paramref name="channels7x7"/> is the width inside the 7×7 branches.</summary>
    public InceptionC(int inChannels, int channels7x7, Device? device)
    {
        int c7 = channels7x7;
        (int, int) row = (1, 7), column = (7, 1), one = (1, 1), padRow = (0, 3), padColumn = (3, 0);
        _b1 = Child("branch1x1", new BasicConv2d(inChannels, 192, 1, device: device));
        _b7 =
        [
            Child("branch7x7_1", new BasicConv2d(inChannels, c7, 1, device: device)),
            Child("branch7x7_2", new BasicConv2d(c7, c7, row, one, padRow, device)),
            Child("branch7x7_3", new BasicConv2d(c7, 192, column, one, padColumn, device)),
        ];
        _b7dbl =
        [
            Child("branch7x7dbl_1", new BasicConv2d(inChannels, c7, 1, device: device)),
            Child("branch7x7dbl_2", new BasicConv2d(c7, c7, column, one, padColumn, device)),
            Child("branch7x7dbl_3", new BasicConv2d(c7, c7, row, one, padRow, device)),
            Child("branch7x7dbl_4", new BasicConv2d(c7, c7, column, one, padColumn, device)),
            Child("branch7x7dbl_5", new BasicConv2d(c7, 192, row, one, padRow, device)),
        ];
        _pool = Child("branch_pool", new BasicConv2d(inChannels, 192, 1, device: device));
    }

    /// <summary>The block's output.</summary>
    public Tensor Forward(Tensor x) => Ops.Cat(
    [
        _b1.Forward(x),
        Chain(_b7, x),
        Chain(_b7dbl, x),
        _pool.Forward(Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: false)),
    ], 1);

    internal static Tensor Chain(BasicConv2d[] units, Tensor x)
    {
        foreach (var u in units) x = u.Forward(x);
        return x;
    }
}
