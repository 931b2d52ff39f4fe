using System.Numerics;
using System.Numerics.Tensors;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    // Columns per unit of the Wᵀu split (a 64-byte line of float32 or two of float64), and W elements per parallel
    // chunk in either pass: small weights (BigGAN-32's 128 × 1152) run on one thread, where waking workers would
    // cost more than the pass (measured: 0.04 ms alone, 0.08–0.1 ms split in 4–8 chunks).
    private const int ColumnBlock = 16;
    private const long SpectralNormGrain = 1 << 18;

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
        // v += u_i · W_i over the rows (row-wise axpys keep the access contiguous). The columns are split between
        // the workers, each running every row over its own slice of v: the pass reads all of W, so one core alone
        // left it at a fraction of the machine's bandwidth; each element still sums its rows in order, so the
        // result does not depend on the split.
        ParallelRanges(cols, Math.Max(ColumnBlock, SpectralNormGrain / Math.Max(1, rows)), (c0, c1) =>
        {
            // Slices start and end on whole cache lines (but for the last), so no two workers write one line.
            long start = c0 / ColumnBlock * ColumnBlock, end = c1 == cols ? cols : c1 / ColumnBlock * ColumnBlock;
            if (end <= start) return;
            var slice = v.AsSpan((int)start, (int)(end - start));
            for (int i = 0; i < rows; i++)
                TensorPrimitives.MultiplyAdd(Slice(w, (long)i * cols + start, end - start), u[i], slice, slice);
        });
        Normalize(vs, eps);
        var wv = new T[rows];
        ParallelRanges(rows, Math.Max(1, SpectralNormGrain / Math.Max(1, cols)), (r0, r1) =>
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
