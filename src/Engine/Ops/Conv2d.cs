using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>2-D convolution (cross-correlation, as PyTorch): x (N,C,H,W), w (K,C,R,S), bias (K) or null.</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias = null, int stride = 1, int padding = 0) =>
        Conv2d(x, w, bias, (stride, stride), (padding, padding));

    /// <summary>
    /// 2-D convolution with separate vertical and horizontal stride and padding, as PyTorch's
    /// <c>Conv2d(stride=(sh, sw), padding=(ph, pw))</c>; the kernel (R,S) may be rectangular (Inception's 1×7, 7×1).
    /// Under <see cref="Precision.Bf16"/> (<see cref="Autocast"/>) x, w and the bias are read in BFloat16 and y is BFloat16.
    /// The bias is added into the convolution's output (IBackend.Conv2dForwardWithBias), so a biased convolution makes
    /// one output tensor.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, (int H, int W) stride, (int H, int W) padding)
    {
        (x, w, bias) = (Autocast.ProductInput(x), Autocast.ProductInput(w), bias is null ? null : Autocast.ProductInput(bias));
        CheckRank(nameof(Conv2d), "x", x, 4);
        CheckRank(nameof(Conv2d), "w", w, 4);
        CheckSame(nameof(Conv2d), x, w);
        if (w.Shape[1] != x.Shape[1])
            throw new ArgumentException($"Conv2d: weight {w.Shape} expects {w.Shape[1]} input channels, x {x.Shape} has {x.Shape[1]}.");
        if (stride.H < 1 || stride.W < 1 || padding.H < 0 || padding.W < 0)
            throw new ArgumentOutOfRangeException(nameof(stride), $"Conv2d needs strides ≥ 1 and paddings ≥ 0, got stride {stride} and padding {padding}.");
        var g = new Conv2dGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3],
                                   stride.H, stride.W, padding.H, padding.W);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"Conv2d: kernel {w.Shape[2]}x{w.Shape[3]} with padding {padding} does not fit input {x.Shape}.");
        var math = Autocast.ProductMath; // the backward's products run as the forward's did
        var pass = OpCost.Conv2d(x.DType, g); // each of forward, backward-data and backward-weight
        using var _ = Profiler.Scope(nameof(Conv2d), cost: pass, shape: x.Shape, other: w.Shape);
        var y = Empty(x, new Shape(g.N, g.K, g.OutH, g.OutW));
        if (bias is null)
        {
            x.Backend.Conv2dForward(x.Storage, w.Storage, y.Storage, g, math);
        }
        else
        {
            CheckSame(nameof(Conv2d), x, bias);
            if (bias.Rank != 1 || bias.Shape[0] != g.K)
                throw new ArgumentException($"Conv2d: bias must be ({g.K}) for weight {w.Shape}, got {bias.Shape}.", nameof(bias));
            x.Backend.Conv2dForwardWithBias(x.Storage, w.Storage, bias.Storage, y.Storage, g, math);
        }
        return Tape.Record(nameof(Conv2d), y, bias is null ? [x, w] : [x, w, bias], dy =>
        {
            Tensor? dx = null, dw = null;
            if (x.RequiresGrad)
            {
                dx = Empty(x, x.Shape);
                x.Backend.Conv2dBackwardData(dy.Storage, w.Storage, dx.Storage, g, math);
            }
            if (w.RequiresGrad)
            {
                dw = Empty(w, w.Shape);
                x.Backend.Conv2dBackwardWeight(x.Storage, dy.Storage, dw.Storage, g, math);
            }
            // d bias = dy summed over images and pixels (the backward of the broadcast add).
            if (bias is null) return [dx, dw];
            return [dx, dw, bias.RequiresGrad ? Reshape(SumTo(dy, new Shape(1, g.K, 1, 1)), bias.Shape) : null];
        }, (x.RequiresGrad ? pass : default) + (w.RequiresGrad ? pass : default));
    }
}
