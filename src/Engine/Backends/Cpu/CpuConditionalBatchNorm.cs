using System.Numerics;
using System.Numerics.Tensors;

namespace RawGan.Engine.Backends.Cpu;

// Conditional batch norm fused with ReLU. x is viewed as n·c planes of `spatial` elements; plane p = i·c + ch
// is also the index of its sample's gain and bias, which are (n, c).
internal sealed partial class CpuBackend
{
    public void ConditionalBatchNormReluForward(Storage x, Storage mean, Storage variance, Storage gain, Storage bias, double eps,
                                                Storage y, int n, int c, int spatial)
    {
        if (IsFloat(x))
            ConditionalBatchNormReluForward(Data<float>(x), Data<float>(mean), Data<float>(variance), Data<float>(gain), Data<float>(bias), eps,
                                            Data<float>(y), n, c, spatial);
        else
            ConditionalBatchNormReluForward(Data<double>(x), Data<double>(mean), Data<double>(variance), Data<double>(gain), Data<double>(bias), eps,
                                            Data<double>(y), n, c, spatial);
    }

    // Per plane: scale = (1 + gain)/sqrt(var + eps) and shift = bias − mean·scale in double, then
    // y = max(0, x·scale + shift) vectorised.
    private static void ConditionalBatchNormReluForward<T>(T[] x, T[] mean, T[] variance, T[] gain, T[] bias, double eps, T[] y,
                                                           int n, int c, int spatial)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges((long)n * c, Math.Max(1, 8192 / Math.Max(1, spatial)), (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                double invStd = 1.0 / Math.Sqrt(double.CreateTruncating(variance[ch]) + eps);
                double scale = invStd * (1.0 + double.CreateTruncating(gain[p]));
                double shift = double.CreateTruncating(bias[p]) - double.CreateTruncating(mean[ch]) * scale;
                var dst = Slice(y, p * spatial, spatial);
                ScaleShift<T>(Slice(x, p * spatial, spatial), T.CreateTruncating(scale), T.CreateTruncating(shift), dst);
                TensorPrimitives.Max(dst, T.Zero, dst);
            }
        });

    public void ConditionalBatchNormReluBackward(Storage x, Storage y, Storage dy, Storage mean, Storage variance, Storage gain, double eps,
                                                 bool batchStatistics, Storage dx, Storage dgain, Storage dbias, int n, int c, int spatial)
    {
        if (IsFloat(x))
            ConditionalBatchNormReluBackward(Data<float>(x), Data<float>(y), Data<float>(dy), Data<float>(mean), Data<float>(variance), Data<float>(gain),
                                             eps, batchStatistics, Data<float>(dx), Data<float>(dgain), Data<float>(dbias), n, c, spatial);
        else
            ConditionalBatchNormReluBackward(Data<double>(x), Data<double>(y), Data<double>(dy), Data<double>(mean), Data<double>(variance), Data<double>(gain),
                                             eps, batchStatistics, Data<double>(dx), Data<double>(dgain), Data<double>(dbias), n, c, spatial);
    }

    // With dz = dy·[y > 0], x̂ = (x − μ)·invstd and g' = 1 + gain, per plane: dbias = Σdz, dgain = Σdz·x̂. The
    // normalised input's gradient is dx̂ = g'·dz, so the channel sums batch statistics need are
    // Σdx̂ = Σ_i g'·dbias and Σdx̂·x̂ = Σ_i g'·dgain over the channel's planes, and
    // dx = invstd·(dx̂ − Σdx̂/M − x̂·Σ(dx̂·x̂)/M) (batch statistics, M = n·spatial) or invstd·dx̂ (fixed ones).
    // All sums and the per-element dx are in double, as in the plain batch norm's backward.
    private static void ConditionalBatchNormReluBackward<T>(T[] x, T[] y, T[] dy, T[] mean, T[] variance, T[] gain, double eps,
                                                            bool batchStatistics, T[] dx, T[] dgain, T[] dbias, int n, int c, int spatial)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long planes = (long)n * c;
        long grain = Math.Max(1, 8192 / Math.Max(1, spatial));
        var invStd = new double[c];
        for (int ch = 0; ch < c; ch++) invStd[ch] = 1.0 / Math.Sqrt(double.CreateTruncating(variance[ch]) + eps);

        var sumDz = new double[planes];
        var sumDzXhat = new double[planes];
        ParallelRanges(planes, grain, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                double mu = double.CreateTruncating(mean[ch]), s = 0, sx = 0;
                long b = p * spatial;
                for (int k = 0; k < spatial; k++)
                {
                    if (y[b + k] <= T.Zero) continue;
                    double d = double.CreateTruncating(dy[b + k]);
                    s += d;
                    sx += d * (double.CreateTruncating(x[b + k]) - mu);
                }
                sumDz[p] = s;
                sumDzXhat[p] = sx * invStd[ch];
                dbias[p] = T.CreateTruncating(s);
                dgain[p] = T.CreateTruncating(sumDzXhat[p]);
            }
        });

        // Per channel: Σdx̂/M and Σ(dx̂·x̂)/M (zero with fixed statistics).
        var meanDxhat = new double[c];
        var meanDxhatXhat = new double[c];
        if (batchStatistics)
        {
            double count = (double)n * spatial;
            for (long p = 0; p < planes; p++)
            {
                int ch = (int)(p % c);
                double g = 1.0 + double.CreateTruncating(gain[p]);
                meanDxhat[ch] += g * sumDz[p] / count;
                meanDxhatXhat[ch] += g * sumDzXhat[p] / count;
            }
        }

        ParallelRanges(planes, grain, (p0, p1) =>
        {
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                double mu = double.CreateTruncating(mean[ch]), inv = invStd[ch];
                double g = 1.0 + double.CreateTruncating(gain[p]), md = meanDxhat[ch], mdx = meanDxhatXhat[ch];
                long b = p * spatial;
                for (int k = 0; k < spatial; k++)
                {
                    double dz = y[b + k] > T.Zero ? double.CreateTruncating(dy[b + k]) : 0.0;
                    double xhat = (double.CreateTruncating(x[b + k]) - mu) * inv;
                    dx[b + k] = T.CreateTruncating(inv * (g * dz - md - xhat * mdx));
                }
            }
        });
    }
}
