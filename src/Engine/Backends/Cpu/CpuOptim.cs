using System.Numerics;
using System.Runtime.InteropServices;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void AdamStepScalars(Storage step, Storage scalars, double lr, double beta1, double beta2)
    {
        double t = AddToCounter(step, 1);
        var s = Data<double>(scalars);
        s[0] = lr / (1 - Math.Pow(beta1, t));
        s[1] = Math.Sqrt(1 - Math.Pow(beta2, t));
    }

    public void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, double beta1, double beta2, double eps, Storage scalars)
    {
        // Step size, √bc2 and 1 − β in double, as PyTorch computes them in Python before the tensor ops
        // (1 − 0.999f in float differs from (float)0.001 by 1.3e-5 relative).
        var s = Data<double>(scalars);
        double stepSize = s[0], sqrtBc2 = s[1];
        if (IsFloat(param))
            Adam(Data<float>(param), Data<float>(grad), Data<float>(m), Data<float>(v), n, (float)stepSize, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)eps, (float)sqrtBc2);
        else
            Adam(Data<double>(param), Data<double>(grad), Data<double>(m), Data<double>(v), n, stepSize, beta1, 1 - beta1, beta2, 1 - beta2, eps, sqrtBc2);
    }

    // The operation order of torch.optim.Adam's single-tensor path, so float32 results agree to rounding. SIMD lanes
    // round exactly as the scalar tail does (the JIT does not contract a·b + c into an FMA; sqrt and division are
    // correctly rounded), so the vector width changes no result, only the speed: the scalar loop was bound by one
    // sqrt and one division per element, far below the memory traffic (7 float streams per element).
    private static void Adam<T>(T[] p, T[] g, T[] m, T[] v, long n, T stepSize, T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T eps, T sqrtBc2)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
        {
            long i = s;
            if (Vector.IsHardwareAccelerated)
            {
                var vBeta1 = new Vector<T>(beta1);
                var vOneMinusBeta1 = new Vector<T>(oneMinusBeta1);
                var vBeta2 = new Vector<T>(beta2);
                var vOneMinusBeta2 = new Vector<T>(oneMinusBeta2);
                var vStep = new Vector<T>(stepSize);
                var vEps = new Vector<T>(eps);
                var vSqrtBc2 = new Vector<T>(sqrtBc2);
                ref T p0 = ref MemoryMarshal.GetArrayDataReference(p), g0 = ref MemoryMarshal.GetArrayDataReference(g);
                ref T m0 = ref MemoryMarshal.GetArrayDataReference(m), v0 = ref MemoryMarshal.GetArrayDataReference(v);
                for (; i <= e - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var at = (nuint)i;
                    var gi = Vector.LoadUnsafe(ref g0, at);
                    var mi = Vector.LoadUnsafe(ref m0, at) * vBeta1 + gi * vOneMinusBeta1;
                    var vi = Vector.LoadUnsafe(ref v0, at) * vBeta2 + gi * gi * vOneMinusBeta2;
                    mi.StoreUnsafe(ref m0, at);
                    vi.StoreUnsafe(ref v0, at);
                    (Vector.LoadUnsafe(ref p0, at) - vStep * (mi / (Vector.SquareRoot(vi) / vSqrtBc2 + vEps))).StoreUnsafe(ref p0, at);
                }
            }
            for (; i < e; i++)
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
