using System.Numerics;
using System.Numerics.Tensors;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance)
    {
        if (AnyBFloat16(x))
        {
            using var f = new Float32StandIns(this);
            BatchNormStatistics(f.In(x), n, c, spatial, mean, variance);
            return;
        }
        if (IsFloat(x)) BatchNormStatistics(Data<float>(x), n, c, spatial, Data<float>(mean), Data<float>(variance));
        else BatchNormStatistics(Data<double>(x), n, c, spatial, Data<double>(mean), Data<double>(variance));
    }

    // Two passes in double per channel: the mean, then the centred sum of squares (no cancellation).
    private static void BatchNormStatistics<T>(T[] x, int n, int c, int spatial, T[] mean, T[] variance) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(c, 1, (c0, c1) =>
        {
            double count = (double)n * spatial;
            for (long ch = c0; ch < c1; ch++)
            {
                if (x is float[] xf) // SIMD rows (CpuBatchNormRows): same double sums, different association
                {
                    double sum = 0, squares = 0;
                    for (int i = 0; i < n; i++) sum += CpuBatchNormRows.Sum(Slice(xf, ((long)i * c + ch) * spatial, spatial));
                    for (int i = 0; i < n; i++) squares += CpuBatchNormRows.SumSquaredDeviations(Slice(xf, ((long)i * c + ch) * spatial, spatial), sum / count);
                    mean[ch] = T.CreateTruncating(sum / count);
                    variance[ch] = T.CreateTruncating(squares / count);
                    continue;
                }
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    var row = Slice(x, ((long)i * c + ch) * spatial, spatial);
                    for (int k = 0; k < row.Length; k++) s += double.CreateTruncating(row[k]);
                }
                double m = s / count, ss = 0;
                for (int i = 0; i < n; i++)
                {
                    var row = Slice(x, ((long)i * c + ch) * spatial, spatial);
                    for (int k = 0; k < row.Length; k++)
                    {
                        double d = double.CreateTruncating(row[k]) - m;
                        ss += d * d;
                    }
                }
                mean[ch] = T.CreateTruncating(m);
                variance[ch] = T.CreateTruncating(ss / count);
            }
        });

    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                                 Storage y, int n, int c, int spatial)
    {
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            BatchNormForward(f.In(x), mean, variance, gamma, beta, eps, f.Out(y), n, c, spatial);
            f.Round(y);
            return;
        }
        if (IsFloat(x))
            BatchNormForward(Data<float>(x), Data<float>(mean), Data<float>(variance), DataOrNull<float>(gamma), DataOrNull<float>(beta), eps, Data<float>(y), n, c, spatial);
        else
            BatchNormForward(Data<double>(x), Data<double>(mean), Data<double>(variance), DataOrNull<double>(gamma), DataOrNull<double>(beta), eps, Data<double>(y), n, c, spatial);
    }

    private static void BatchNormForward<T>(T[] x, T[] mean, T[] variance, T[]? gamma, T[]? beta, double eps, T[] y, int n, int c, int spatial)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges((long)n * c, Math.Max(1, 8192 / Math.Max(1, spatial)), (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                double invStd = 1.0 / Math.Sqrt(double.CreateTruncating(variance[ch]) + eps);
                double scale = invStd * (gamma is null ? 1.0 : double.CreateTruncating(gamma[ch]));
                double shift = (beta is null ? 0.0 : double.CreateTruncating(beta[ch])) - double.CreateTruncating(mean[ch]) * scale;
                ScaleShift<T>(Slice(x, p * spatial, spatial), T.CreateTruncating(scale), T.CreateTruncating(shift), Slice(y, p * spatial, spatial));
            }
        });

    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                                  bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial)
    {
        if (AnyBFloat16(x, dy, dx))
        {
            using var f = new Float32StandIns(this);
            BatchNormBackward(f.In(x), f.In(dy), mean, variance, gamma, eps, batchStatistics, f.Out(dx), dgamma, dbeta, n, c, spatial);
            f.Round(dx);
            return;
        }
        if (IsFloat(x))
            BatchNormBackward(Data<float>(x), Data<float>(dy), Data<float>(mean), Data<float>(variance), DataOrNull<float>(gamma), eps, batchStatistics,
                              Data<float>(dx), DataOrNull<float>(dgamma), DataOrNull<float>(dbeta), n, c, spatial);
        else
            BatchNormBackward(Data<double>(x), Data<double>(dy), Data<double>(mean), Data<double>(variance), DataOrNull<double>(gamma), eps, batchStatistics,
                              Data<double>(dx), DataOrNull<double>(dgamma), DataOrNull<double>(dbeta), n, c, spatial);
    }

    // With x̂ = (x − μ)·invstd:  dβ = Σ dy,  dγ = Σ dy·x̂;
    // batch statistics: dx = γ·invstd/M · (M·dy − Σdy − x̂·Σ(dy·x̂));  fixed statistics: dx = γ·invstd·dy.
    private static void BatchNormBackward<T>(T[] x, T[] dy, T[] mean, T[] variance, T[]? gamma, double eps, bool batchStatistics,
                                             T[] dx, T[]? dgamma, T[]? dbeta, int n, int c, int spatial)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(c, 1, (c0, c1) =>
        {
            double count = (double)n * spatial;
            for (long ch = c0; ch < c1; ch++)
            {
                double mu = double.CreateTruncating(mean[ch]);
                double invStd = 1.0 / Math.Sqrt(double.CreateTruncating(variance[ch]) + eps);
                double g = gamma is null ? 1.0 : double.CreateTruncating(gamma[ch]);
                double sumDy = 0, sumDyXhat = 0;
                if (x is float[] xf && dy is float[] dyf && dx is float[] dxf && batchStatistics)
                {
                    // SIMD rows (CpuBatchNormRows): same double sums, different association; dx bit for bit.
                    for (int i = 0; i < n; i++)
                    {
                        long b = ((long)i * c + ch) * spatial;
                        var (sd, sdx) = CpuBatchNormRows.BackwardSums(Slice(dyf, b, spatial), Slice(xf, b, spatial), mu, invStd);
                        sumDy += sd;
                        sumDyXhat += sdx;
                    }
                    if (dgamma is not null) dgamma[ch] = T.CreateTruncating(sumDyXhat);
                    if (dbeta is not null) dbeta[ch] = T.CreateTruncating(sumDy);
                    for (int i = 0; i < n; i++)
                    {
                        long b = ((long)i * c + ch) * spatial;
                        CpuBatchNormRows.BackwardRow(Slice(dyf, b, spatial), Slice(xf, b, spatial), Slice(dxf, b, spatial),
                                                     g * invStd, sumDy / count, mu, invStd, sumDyXhat / count);
                    }
                    continue;
                }
                for (int i = 0; i < n; i++)
                {
                    long b = ((long)i * c + ch) * spatial;
                    for (int k = 0; k < spatial; k++)
                    {
                        double d = double.CreateTruncating(dy[b + k]);
                        sumDy += d;
                        sumDyXhat += d * (double.CreateTruncating(x[b + k]) - mu) * invStd;
                    }
                }
                if (dgamma is not null) dgamma[ch] = T.CreateTruncating(sumDyXhat);
                if (dbeta is not null) dbeta[ch] = T.CreateTruncating(sumDy);
                double k1 = g * invStd, meanDy = sumDy / count, meanDyXhat = sumDyXhat / count;
                for (int i = 0; i < n; i++)
                {
                    long b = ((long)i * c + ch) * spatial;
                    for (int k = 0; k < spatial; k++)
                    {
                        double d = double.CreateTruncating(dy[b + k]);
                        double r = batchStatistics
                            ? k1 * (d - meanDy - (double.CreateTruncating(x[b + k]) - mu) * invStd * meanDyXhat)
                            : k1 * d;
                        dx[b + k] = T.CreateTruncating(r);
                    }
                }
            }
        });
}
