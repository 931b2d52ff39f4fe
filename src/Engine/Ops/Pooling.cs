using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>2x2 average pooling with stride 2 of x (N,C,H,W).</summary>
    public static Tensor AvgPool2d(Tensor x) => Pool(PoolKind.Average, x);

    /// <summary>2x2 max pooling with stride 2 of x (N,C,H,W); the gradient goes to the first maximum of each window.</summary>
    public static Tensor MaxPool2d(Tensor x) => Pool(PoolKind.Max, x);

    /// <summary>
    /// Max pooling of x (N,C,H,W) with a kernel×kernel window, as PyTorch's <c>max_pool2d(x, kernel, stride,
    /// padding)</c> (padding ignored by the maximum, floor mode); the gradient goes to each window's first maximum.
    /// </summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0) =>
        Pool(PoolKind.Max, x, kernel, stride, padding, countIncludePad: true);

    /// <summary>
    /// Average pooling of x (N,C,H,W) with a kernel×kernel window, as PyTorch's <c>avg_pool2d(x, kernel, stride,
    /// padding, count_include_pad=…)</c>: with <paramref name="countIncludePad"/> false a window at the border
    /// averages only the elements inside the input (Inception's branch pools).
    /// </summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int stride, int padding = 0, bool countIncludePad = true) =>
        Pool(PoolKind.Average, x, kernel, stride, padding, countIncludePad);

    private static Tensor Pool(PoolKind kind, Tensor x, int kernel, int stride, int padding, bool countIncludePad)
    {
        string name = kind + "Pool2d";
        CheckRank(name, "x", x, 4);
        CheckSame(name, x);
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"{name} needs kernel ≥ 1, stride ≥ 1 and 0 ≤ padding ≤ kernel/2, got {kernel}, {stride}, {padding}.");
        // The 2x2 stride-2 kernels compute the same thing faster.
        if (kernel == 2 && stride == 2 && padding == 0) return Pool(kind, x);
        CheckNotBFloat16(name, x);
        var g = new Pool2dGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel, kernel, stride, stride, padding, padding, countIncludePad);
        if (g.OutH < 1 || g.OutW < 1)
            throw new ArgumentException($"{name}: a {kernel}x{kernel} window with padding {padding} does not fit input {x.Shape}.", nameof(x));
        long outNumel = (long)g.N * g.C * g.OutH * g.OutW;
        using var _ = Profiler.Scope(name, cost: OpCost.Memory(x.DType, x.Numel, outNumel), shape: x.Shape);
        var y = Empty(x, new Shape(g.N, g.C, g.OutH, g.OutW));
        x.Backend.Pool2dForward(kind, x.Storage, y.Storage, g);
        return Tape.Record(name, y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.Pool2dBackward(kind, x.Storage, dy.Storage, dx.Storage, g);
            return [dx];
        }, OpCost.Memory(x.DType, (kind == PoolKind.Max ? x.Numel : 0) + outNumel, x.Numel));
    }

    private static Tensor Pool(PoolKind kind, Tensor x)
    {
        string name = kind + "Pool2d";
        CheckRank(name, "x", x, 4);
        CheckSame(name, x);
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (h < 2 || w < 2) throw new ArgumentException($"{name} needs H, W ≥ 2, got {x.Shape}.", nameof(x));
        long outNumel = (long)n * c * (h / 2) * (w / 2);
        using var _ = Profiler.Scope(name, cost: OpCost.Memory(x.DType, x.Numel, outNumel), shape: x.Shape);
        var y = Empty(x, new Shape(n, c, h / 2, w / 2));
        x.Backend.Pool2x2Forward(kind, x.Storage, y.Storage, n, c, h, w);
        return Tape.Record(name, y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.Pool2x2Backward(kind, x.Storage, dy.Storage, dx.Storage, n, c, h, w);
            return [dx];
        }, OpCost.Memory(x.DType, (kind == PoolKind.Max ? x.Numel : 0) + outNumel, x.Numel));
    }

    /// <summary>Nearest-neighbour upsampling by 2 of x (N,C,H,W) → (N,C,2H,2W).</summary>
    public static Tensor Upsample2x(Tensor x)
    {
        CheckRank(nameof(Upsample2x), "x", x, 4);
        CheckSame(nameof(Upsample2x), x);
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        using var _ = Profiler.Scope(nameof(Upsample2x), cost: OpCost.Memory(x.DType, x.Numel, 4 * x.Numel), shape: x.Shape);
        var y = Empty(x, new Shape(n, c, 2 * h, 2 * w));
        x.Backend.Upsample2xForward(x.Storage, y.Storage, n, c, h, w);
        // Each input pixel fed a 2x2 block: its gradient is the block's sum.
        return Tape.Record(nameof(Upsample2x), y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.Upsample2xBackward(dy.Storage, dx.Storage, n, c, h, w);
            return [dx];
        }, OpCost.Memory(x.DType, 4 * x.Numel, x.Numel));
    }
}
