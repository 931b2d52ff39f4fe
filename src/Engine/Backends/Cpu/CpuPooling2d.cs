using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

// General k×k pooling (stride, padding, count_include_pad), forward and backward. The backward gathers: each dx
// element sums, in window order, the share of every window that covers it, so dx is written once and the CUDA
// kernels (kernels-cu/pooling.cu) use the very same formulas in the same order.
internal sealed partial class CpuBackend
{
    public void Pool2dForward(PoolKind kind, Storage x, Storage y, in Pool2dGeometry g)
    {
        CheckPool(g);
        if (IsFloat(x)) Pool2dForward(kind, Data<float>(x), Data<float>(y), g);
        else Pool2dForward(kind, Data<double>(x), Data<double>(y), g);
    }

    public void Pool2dBackward(PoolKind kind, Storage x, Storage dy, Storage dx, in Pool2dGeometry g)
    {
        CheckPool(g);
        if (IsFloat(x)) Pool2dBackward(kind, Data<float>(x), Data<float>(dy), Data<float>(dx), g);
        else Pool2dBackward(kind, Data<double>(x), Data<double>(dy), Data<double>(dx), g);
    }

    private static void CheckPool(in Pool2dGeometry g)
    {
        // PyTorch's rule: padding at most half the kernel, so every window holds at least one input element.
        if (g.KernelH < 1 || g.KernelW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.PadH < 0 || g.PadW < 0
            || 2 * g.PadH > g.KernelH || 2 * g.PadW > g.KernelW || g.OutH < 1 || g.OutW < 1)
            throw new ArgumentException($"Pool2d: invalid geometry {g}.");
    }

    // Window [h0, h1) × [w0, w1) of output (oh, ow) clipped to the input, and the average's divisor.
    private static (int H0, int H1, int W0, int W1, int Divisor) Window(in Pool2dGeometry g, int oh, int ow)
    {
        int h0 = oh * g.StrideH - g.PadH, w0 = ow * g.StrideW - g.PadW;
        int h1 = Math.Min(h0 + g.KernelH, g.H), w1 = Math.Min(w0 + g.KernelW, g.W);
        h0 = Math.Max(h0, 0);
        w0 = Math.Max(w0, 0);
        return (h0, h1, w0, w1, g.CountIncludePad ? g.KernelH * g.KernelW : (h1 - h0) * (w1 - w0));
    }

    private static void Pool2dForward<T>(PoolKind kind, T[] x, T[] y, Pool2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutH, ow = g.OutW;
        long plane = (long)g.H * g.W;
        ParallelRanges((long)g.N * g.C, 4, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xb = p * plane, yb = p * oh * ow;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        var (h0, h1, w0, w1, divisor) = Window(g, i, j);
                        T acc = kind == PoolKind.Average ? T.Zero : T.NegativeInfinity;
                        for (int r = h0; r < h1; r++)
                            for (int s = w0; s < w1; s++)
                            {
                                T v = x[xb + (long)r * g.W + s];
                                if (kind == PoolKind.Average) acc += v;
                                else if (v > acc) acc = v;
                            }
                        y[yb + (long)i * ow + j] = kind == PoolKind.Average ? acc / T.CreateTruncating(divisor) : acc;
                    }
            }
        });
    }

    // First maximum of a window in row-major order, as a flat index into the plane.
    private static long ArgMax<T>(T[] x, long xb, int width, int h0, int h1, int w0, int w1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long best = xb + (long)h0 * width + w0;
        for (int r = h0; r < h1; r++)
            for (int s = w0; s < w1; s++)
            {
                long k = xb + (long)r * width + s;
                if (x[k] > x[best]) best = k;
            }
        return best;
    }

    private static void Pool2dBackward<T>(PoolKind kind, T[] x, T[] dy, T[] dx, Pool2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = g.OutH, ow = g.OutW;
        long plane = (long)g.H * g.W;
        ParallelRanges((long)g.N * g.C, 4, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xb = p * plane, yb = p * oh * ow;
                for (int ih = 0; ih < g.H; ih++)
                {
                    // Output rows whose window covers input row ih: oh·sh − ph ≤ ih < oh·sh − ph + kh.
                    int i0 = ih + g.PadH < g.KernelH ? 0 : (ih + g.PadH - g.KernelH) / g.StrideH + 1;
                    int i1 = Math.Min((ih + g.PadH) / g.StrideH + 1, oh);
                    for (int iw = 0; iw < g.W; iw++)
                    {
                        int j0 = iw + g.PadW < g.KernelW ? 0 : (iw + g.PadW - g.KernelW) / g.StrideW + 1;
                        int j1 = Math.Min((iw + g.PadW) / g.StrideW + 1, ow);
                        long me = xb + (long)ih * g.W + iw;
                        T sum = T.Zero;
                        for (int i = i0; i < i1; i++)
                            for (int j = j0; j < j1; j++)
                            {
                                var (h0, h1, w0, w1, divisor) = Window(g, i, j);
                                T d = dy[yb + (long)i * ow + j];
                                if (kind == PoolKind.Average) sum += d / T.CreateTruncating(divisor);
                                else if (ArgMax(x, xb, g.W, h0, h1, w0, w1) == me) sum += d;
                            }
                        dx[me] = sum;
                    }
                }
            }
        });
    }
}
