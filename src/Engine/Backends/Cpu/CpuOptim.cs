using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n,
                           double lr, double beta1, double beta2, double eps, double biasCorrection1, double biasCorrection2)
    {
        // Step size, √bc2 and 1 − β in double, as PyTorch computes them in Python before the tensor ops
        // (1 − 0.999f in float differs from (float)0.001 by 1.3e-5 relative).
        double stepSize = lr / biasCorrection1, sqrtBc2 = Math.Sqrt(biasCorrection2);
        if (IsFloat(param))
            Adam(Data<float>(param), Data<float>(grad), Data<float>(m), Data<float>(v), n, (float)stepSize, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)eps, (float)sqrtBc2);
        else
            Adam(Data<double>(param), Data<double>(grad), Data<double>(m), Data<double>(v), n, stepSize, beta1, 1 - beta1, beta2, 1 - beta2, eps, sqrtBc2);
    }

    // The operation order of torch.optim.Adam's single-tensor path, so float32 results agree to rounding.
    private static void Adam<T>(T[] p, T[] g, T[] m, T[] v, long n, T stepSize, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T eps, T sqrtBc2)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
        {
            for (long i = s; i < e; i++)
            {
                T gi = g[i];
                T mi = m[i] * beta1 + gi * oneMinusBeta1;
                T vi = v[i] * beta2 + gi * gi * oneMinusBeta2;
                m[i] = mi;
                v[i] = vi;
                p[i] -= stepSize * (mi / (T.Sqrt(vi) / sqrtBc2 + eps));
            }
        });
}
