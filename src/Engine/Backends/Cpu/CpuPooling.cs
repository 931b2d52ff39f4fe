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
                Array.Clear(dx, (int)xb, h * w); // odd trailing rows/columns get no gradient
                for (int i = 0; i < oh; i++)
                {
                    long r0 = xb + 2L * i * w, r1 = r0 + w;
                    for (int j = 0; j < ow; j++)
                    {
                        T g = dy[yb + (long)i * ow + j];
                        long[] idx = [r0 + 2 * j, r0 + 2 * j + 1, r1 + 2 * j, r1 + 2 * j + 1];
                        if (kind == PoolKind.Average)
                        {
                            foreach (var k in idx) dx[k] = g * quarter;
                        }
                        else
                        {
                            long best = idx[0]; // first maximum in row-major window order, as PyTorch
                            for (int k = 1; k < 4; k++) if (x[idx[k]] > x[best]) best = idx[k];
                            dx[best] = g;
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
