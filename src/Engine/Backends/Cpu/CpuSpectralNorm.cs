using System.Numerics;
using System.Numerics.Tensors;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut, Storage sigma, double eps)
    {
        if (IsFloat(w)) PowerIteration(Data<float>(w), rows, cols, Data<float>(u), Data<float>(uOut), Data<float>(vOut), Data<float>(sigma), eps);
        else PowerIteration(Data<double>(w), rows, cols, Data<double>(u), Data<double>(uOut), Data<double>(vOut), Data<double>(sigma), eps);
    }

    // v = normalize(Wᵀu); Wv; u' = normalize(Wv); σ = u'·(Wv). Accumulates in T, as the GPU kernel and PyTorch do.
    private static void PowerIteration<T>(T[] w, int rows, int cols, T[] u, T[] uOut, T[] v, T[] sigma, double eps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vs = v.AsSpan(0, cols);
        vs.Clear();
        for (int i = 0; i < rows; i++)
        {
            // v += u_i · W_i  (row-wise axpy keeps the access contiguous)
            TensorPrimitives.MultiplyAdd(Slice(w, (long)i * cols, cols), u[i], vs, vs);
        }
        Normalize(vs, eps);
        var wv = new T[rows];
        ParallelRanges(rows, Math.Max(1, 16384 / Math.Max(1, cols)), (r0, r1) =>
        {
            for (long i = r0; i < r1; i++) wv[i] = TensorPrimitives.Dot<T>(Slice(w, i * cols, cols), v.AsSpan(0, cols));
        });
        var us = uOut.AsSpan(0, rows);
        wv.CopyTo(us);
        Normalize(us, eps);
        sigma[0] = TensorPrimitives.Dot<T>(us, wv);
    }

    private static void Normalize<T>(Span<T> a, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T norm = T.Max(TensorPrimitives.Norm<T>(a), T.CreateTruncating(eps));
        TensorPrimitives.Divide(a, norm, a);
    }
}
