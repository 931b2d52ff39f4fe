using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w)
    {
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            Pool2x2Forward(kind, f.In(x), f.Out(y), n, c, h, w);
            f.Round(y);
            return;
        }
        if (IsFloat(x)) PoolForward(kind, Data<float>(x), Data<float>(y), n * c, h, w);
        else PoolForward(kind, Data<double>(x), Data<double>(y), n * c, h, w);
    }

    private static void PoolForward<T>(PoolKind kind, T[] x, T[] y, int planes, int h, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = h / 2, ow = w / 2;
        T quarter = T.CreateTruncating(0.25);
        ParallelRanges(planes, 16, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xb = p * h * w, yb = p * oh * ow;
                for (int i = 0; i < oh; i++)
                {
                    long r0 = xb + 2L * i * w, r1 = r0 + w;
                    for (int j = 0; j < ow; j++)
                    {
                        T a = x[r0 + 2 * j], b = x[r0 + 2 * j + 1], cc = x[r1 + 2 * j], d = x[r1 + 2 * j + 1];
                        y[yb + (long)i * ow + j] = kind == PoolKind.Average
                            ? (a + b + cc + d) * quarter
                            : T.Max(T.Max(a, b), T.Max(cc, d));
                    }
                }
            }
        });
    }

    public void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w)
    {
        if (AnyBFloat16(x, dy, dx))
        {
            using var f = new Float32StandIns(this);
            Pool2x2Backward(kind, f.In(x), f.In(dy), f.Out(dx), n, c, h, w);
            f.Round(dx);
            return;
        }
        if (IsFloat(x)) PoolBackward(kind, Data<float>(x), Data<float>(dy), Data<float>(dx), n * c, h, w);
        else PoolBackward(kind, Data<double>(x), Data<double>(dy), Data<double>(dx), n * c, h, w);
    }

    private static void PoolBackward<T>(PoolKind kind, T[] x, T[] dy, T[] dx, int planes, int h, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = h / 2, ow = w / 2;
        T quarter = T.CreateTruncating(0.25);
        ParallelRanges(planes, 16, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                long xb = p * h * w, yb = p * oh * ow;
                // Every window writes its four gradients; only odd trailing rows/columns need clearing.
                if (h % 2 != 0 || w % 2 != 0) Array.Clear(dx, (int)xb, h * w);
                for (int i = 0; i < oh; i++)
                {
                    var g = new ReadOnlySpan<T>(dy, (int)(yb + (long)i * ow), ow);
                    var d0 = new Span<T>(dx, (int)(xb + 2L * i * w), 2 * ow);
                    var d1 = new Span<T>(dx, (int)(xb + (2L * i + 1) * w), 2 * ow);
                    if (kind == PoolKind.Average)
                    {
                        for (int j = 0; j < ow; j++) d0[2 * j] = d0[2 * j + 1] = d1[2 * j] = d1[2 * j + 1] = g[j] * quarter;
                    }
                    else
                    {
                        var x0 = new ReadOnlySpan<T>(x, (int)(xb + 2L * i * w), 2 * ow);
                        var x1 = new ReadOnlySpan<T>(x, (int)(xb + (2L * i + 1) * w), 2 * ow);
                        for (int j = 0; j < ow; j++)
                        {
                            // The first maximum in row-major window order takes the gradient, as in PyTorch.
                            T a = x0[2 * j], b = x0[2 * j + 1], c = x1[2 * j], e = x1[2 * j + 1];
                            int best = b > a ? 1 : 0;
                            T top = best == 1 ? b : a;
                            if (c > top) { best = 2; top = c; }
                            if (e > top) best = 3;
                            d0[2 * j] = best == 0 ? g[j] : T.Zero;
                            d0[2 * j + 1] = best == 1 ? g[j] : T.Zero;
                            d1[2 * j] = best == 2 ? g[j] : T.Zero;
                            d1[2 * j + 1] = best == 3 ? g[j] : T.Zero;
                        }
                    }
                }
            }
        });
    }

    public void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w)
    {
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            Upsample2xForward(f.In(x), f.Out(y), n, c, h, w);
            f.Round(y);
            return;
        }
        if (IsFloat(x)) UpsampleForward(Data<float>(x), Data<float>(y), n * c, h, w);
        else UpsampleForward(Data<double>(x), Data<double>(y), n * c, h, w);
    }

    private static void UpsampleForward<T>(T[] x, T[] y, int planes, int h, int w) where T : unmanaged =>
        ParallelRanges(planes, 16, (p0, p1) =>
        {
            int w2 = 2 * w;
            for (long p = p0; p < p1; p++)
            {
                long xb = p * h * w, yb = p * 4L * h * w;
                for (int i = 0; i < h; i++)
                {
                    var row = Slice(y, yb + 2L * i * w2, w2);
                    for (int j = 0; j < w; j++) row[2 * j] = row[2 * j + 1] = x[xb + (long)i * w + j];
                    row.CopyTo(Slice(y, yb + (2L * i + 1) * w2, w2));
                }
            }
        });

    public void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w)
    {
        if (AnyBFloat16(dy, dx))
        {
            using var f = new Float32StandIns(this);
            Upsample2xBackward(f.In(dy), f.Out(dx), n, c, h, w);
            f.Round(dx);
            return;
        }
        if (IsFloat(dy)) UpsampleBackward(Data<float>(dy), Data<float>(dx), n * c, h, w);
        else UpsampleBackward(Data<double>(dy), Data<double>(dx), n * c, h, w);
    }

    private static void UpsampleBackward<T>(T[] dy, T[] dx, int planes, int h, int w) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(planes, 16, (p0, p1) =>
        {
            int w2 = 2 * w;
            for (long p = p0; p < p1; p++)
            {
                long xb = p * h * w, yb = p * 4L * h * w;
                for (int i = 0; i < h; i++)
                {
                    long r0 = yb + 2L * i * w2, r1 = r0 + w2;
                    for (int j = 0; j < w; j++)
                        dx[xb + (long)i * w + j] = dy[r0 + 2 * j] + dy[r0 + 2 * j + 1] + dy[r1 + 2 * j] + dy[r1 + 2 * j + 1];
                }
            }
        });
}
