using RawGan.Engine.Autograd;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>2x2 average pooling with stride 2 of x (N,C,H,W).</summary>
    public static Tensor AvgPool2d(Tensor x) => Pool(PoolKind.Average, x);

    /// <summary>2x2 max pooling with stride 2 of x (N,C,H,W); the gradient goes to the first maximum of each window.</summary>
    public static Tensor MaxPool2d(Tensor x) => Pool(PoolKind.Max, x);

    private static Tensor Pool(PoolKind kind, Tensor x)
    {
        string name = kind + "Pool2d";
        CheckRank(name, "x", x, 4);
        CheckSame(name, x);
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (h < 2 || w < 2) throw new ArgumentException($"{name} needs H, W ≥ 2, got {x.Shape}.", nameof(x));
        var y = Empty(x, new Shape(n, c, h / 2, w / 2));
        x.Backend.Pool2x2Forward(kind, x.Storage, y.Storage, n, c, h, w);
        return Tape.Record(name, y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.Pool2x2Backward(kind, x.Storage, dy.Storage, dx.Storage, n, c, h, w);
            return [dx];
        });
    }

    /// <summary>Nearest-neighbour upsampling by 2 of x (N,C,H,W) → (N,C,2H,2W).</summary>
    public static Tensor Upsample2x(Tensor x)
    {
        CheckRank(nameof(Upsample2x), "x", x, 4);
        CheckSame(nameof(Upsample2x), x);
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var y = Empty(x, new Shape(n, c, 2 * h, 2 * w));
        x.Backend.Upsample2xForward(x.Storage, y.Storage, n, c, h, w);
        // Each input pixel fed a 2x2 block: its gradient is the block's sum.
        return Tape.Record(nameof(Upsample2x), y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.Upsample2xBackward(dy.Storage, dx.Storage, n, c, h, w);
            return [dx];
        });
    }
}
