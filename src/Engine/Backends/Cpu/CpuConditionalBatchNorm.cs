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
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            ConditionalBatchNormReluForward(f.In(x), mean, variance, gain, bias, eps, f.Out(y), n, c, spatial);
            f.Round(y);
            return;
        }
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
        if (AnyBFloat16(x, y, dy, dx))
        {
            using var f = new Float32StandIns(this);
            ConditionalBatchNormReluBackward(f.In(x), f.In(y), f.In(dy), mean, variance, gain, eps, batchStatistics, f.Out(dx), dgain, dbias, n, c, spatial);
            f.Round(dx);
            return;
        }
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
    // dx = invstd·(dx̂ − Σdx̂/M − x̂·Σ(dx̂·x̂)/M) = a·dz − b − (x − μ)·q (batch statistics, M = n·spatial) or
    // invstd·dx̂ (fixed ones). Planes are reduced vectorised in T (a plane is at most a feature map); the sums
    // across planes and the coefficients a = invstd·g', b = invstd·Σdx̂/M, q = invstd²·Σ(dx̂·x̂)/M are in double.
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
            var dz = new T[spatial];
            var centred = new T[spatial];
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                MaskAndCentre(Slice(x, p * spatial, spatial), Slice(y, p * spatial, spatial), Slice(dy, p * spatial, spatial), mean[ch], dz, centred);
                sumDz[p] = double.CreateTruncating(TensorPrimitives.Sum<T>(dz));
                sumDzXhat[p] = double.CreateTruncating(TensorPrimitives.Dot<T>(dz, centred)) * invStd[ch];
                dbias[p] = T.CreateTruncating(sumDz[p]);
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
            var dz = new T[spatial];
            var centred = new T[spatial];
            for (long p = p0; p < p1; p++)
            {
                int ch = (int)(p % c);
                double inv = invStd[ch], g = 1.0 + double.CreateTruncating(gain[p]);
                T a = T.CreateTruncating(inv * g), b = T.CreateTruncating(inv * meanDxhat[ch]), q = T.CreateTruncating(inv * inv * meanDxhatXhat[ch]);
                MaskAndCentre(Slice(x, p * spatial, spatial), Slice(y, p * spatial, spatial), Slice(dy, p * spatial, spatial), mean[ch], dz, centred);
                var d = Slice(dx, p * spatial, spatial);
                ScaleShift<T>(centred, -q, -b, d);        // −(x − μ)·q − b
                TensorPrimitives.MultiplyAdd<T>(dz, a, d, d); // + a·dz
            }
        });
    }

    // dz = dy where y > 0 (else 0) and centred = x − mean, vectorised.
    private static void MaskAndCentre<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, T mean, Span<T> dz, Span<T> centred)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(x, mean, centred);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var positive = Vector.GreaterThan(new Vector<T>(y[i..]), Vector<T>.Zero);
                Vector.ConditionalSelect(positive, new Vector<T>(dy[i..]), Vector<T>.Zero).CopyTo(dz[i..]);
            }
        }
        for (; i < y.Length; i++) dz[i] = y[i] > T.Zero ? dy[i] : T.Zero;
    }
}
