using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RawGan.Engine.Backends.Cpu;

// The subspace iteration's products W·V and Wᵀ·Q over a batch of weights (the reference of kernels-cu/subspace.cu).
// Every weight element is read once per product and multiplied into a block of b ≤ 16 float64 accumulators, so the
// products are bandwidth-bound; the work is cut into tasks of similar size across all the batch's matrices, so
// that many small weights (BigGAN-32) and a few huge ones (ImageNet128) both keep the cores busy.
internal sealed partial class CpuBackend
{
    // Weight elements per task: big enough to amortise scheduling, small enough to balance.
    private const long SubspaceGrain = 1 << 16;

    // Columns per task of Wᵀ·Q: their rows of Z (16 KB at b = 8) stay in L1 while every row of W passes.
    private const int SubspaceColumnChunk = 256;

    public void SubspaceProduct(SubspaceBatch batch, bool transpose, Storage x, Storage y, Storage state)
    {
        var xs = Data<double>(x);
        var ys = Data<double>(y);
        var st = Data<double>(state);
        var tasks = new List<(int Matrix, int Start, int End)>();
        long work = 0;
        for (int l = 0; l < batch.Count; l++)
        {
            if (st[l * SubspaceBatch.StateStride + SubspaceBatch.DoneSlot] != 0) continue;
            int rows = batch.Rows[l], cols = batch.Cols[l];
            int extent = transpose ? cols : rows;
            int step = transpose ? SubspaceColumnChunk : (int)Math.Max(1, SubspaceGrain / cols);
            for (int s = 0; s < extent; s += step) tasks.Add((l, s, Math.Min(extent, s + step)));
            work += (long)rows * cols;
        }
        void Run(int t)
        {
            var (l, start, end) = tasks[t];
            var w = batch.Weights[l];
            if (w.DType == DType.Float32) Product(Data<float>(w), batch, l, transpose, start, end, xs, ys);
            else Product(Data<double>(w), batch, l, transpose, start, end, xs, ys);
        }
        if (work < SubspaceGrain || tasks.Count == 1)
            for (int t = 0; t < tasks.Count; t++) Run(t);
        else
            Parallel.For(0, tasks.Count, Run);
    }

    // Rows [start, end) of Y = W·V, or rows (= columns of W) [start, end) of Z = Wᵀ·Q. A row of the block is b ≤ 16
    // doubles: up to four Vector256 and a scalar tail.
    private static void Product<T>(T[] w, SubspaceBatch batch, int l, bool transpose, int start, int end, double[] x, double[] y)
        where T : unmanaged, INumberBase<T>
    {
        int rows = batch.Rows[l], cols = batch.Cols[l], b = batch.Block[l];
        if (!transpose)
        {
            ref double v = ref x[batch.ColOffset[l]];
            Span<double> tail = stackalloc double[SubspaceBatch.MaxBlock];
            for (int r = start; r < end; r++)
                RowTimesBlock(w.AsSpan(r * cols, cols), ref v, b, y.AsSpan((int)batch.RowOffset[l] + r * b, b), tail);
        }
        else
        {
            var z = y.AsSpan((int)batch.ColOffset[l] + start * b, (end - start) * b);
            z.Clear();
            for (int r = 0; r < rows; r++)
                AddScaledRows(w.AsSpan(r * cols + start, end - start), x.AsSpan((int)batch.RowOffset[l] + r * b, b), z, b);
        }
    }

    // y (b) = Σ_j w[j]·v[j, 0..b), the accumulators in registers: two sets over even and odd j, so that consecutive
    // multiply-adds do not wait on each other.
    private static void RowTimesBlock<T>(ReadOnlySpan<T> w, ref double v, int b, Span<double> y, Span<double> tail) where T : unmanaged, INumberBase<T>
    {
        int vectors = Vector256.IsHardwareAccelerated ? b / 4 : 0, first = vectors * 4;
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default, c0 = default, c1 = default, c2 = default, c3 = default;
        tail.Clear();
        int j = 0;
        for (; j + 1 < w.Length; j += 2)
        {
            double a = double.CreateTruncating(w[j]), c = double.CreateTruncating(w[j + 1]);
            ref double vj = ref Unsafe.Add(ref v, j * b);
            ref double vk = ref Unsafe.Add(ref vj, b);
            if (vectors > 0)
            {
                Vector256<double> av = Vector256.Create(a), cv = Vector256.Create(c);
                a0 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj), a0);
                c0 = Vector256.FusedMultiplyAdd(cv, Vector256.LoadUnsafe(ref vk), c0);
                if (vectors > 1)
                {
                    a1 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 4u), a1);
                    c1 = Vector256.FusedMultiplyAdd(cv, Vector256.LoadUnsafe(ref vk, 4u), c1);
                }
                if (vectors > 2)
                {
                    a2 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 8u), a2);
                    c2 = Vector256.FusedMultiplyAdd(cv, Vector256.LoadUnsafe(ref vk, 8u), c2);
                }
                if (vectors > 3)
                {
                    a3 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 12u), a3);
                    c3 = Vector256.FusedMultiplyAdd(cv, Vector256.LoadUnsafe(ref vk, 12u), c3);
                }
            }
            for (int k = first; k < b; k++) tail[k] += a * Unsafe.Add(ref vj, k) + c * Unsafe.Add(ref vk, k);
        }
        if (j < w.Length)
        {
            double a = double.CreateTruncating(w[j]);
            ref double vj = ref Unsafe.Add(ref v, j * b);
            var av = Vector256.Create(a);
            if (vectors > 0) a0 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj), a0);
            if (vectors > 1) a1 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 4u), a1);
            if (vectors > 2) a2 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 8u), a2);
            if (vectors > 3) a3 = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref vj, 12u), a3);
            for (int k = first; k < b; k++) tail[k] += a * Unsafe.Add(ref vj, k);
        }
        ref double y0 = ref MemoryMarshal.GetReference(y);
        if (vectors > 0) (a0 + c0).StoreUnsafe(ref y0);
        if (vectors > 1) (a1 + c1).StoreUnsafe(ref y0, 4u);
        if (vectors > 2) (a2 + c2).StoreUnsafe(ref y0, 8u);
        if (vectors > 3) (a3 + c3).StoreUnsafe(ref y0, 12u);
        tail[first..b].CopyTo(y[first..]);
    }

    // z[j, 0..b) += w[j]·q[0..b) for every j: q stays in registers, each row of z is loaded and stored once.
    private static void AddScaledRows<T>(ReadOnlySpan<T> w, ReadOnlySpan<double> q, Span<double> z, int b) where T : unmanaged, INumberBase<T>
    {
        int vectors = Vector256.IsHardwareAccelerated ? b / 4 : 0, tail = vectors * 4;
        ref double q0 = ref MemoryMarshal.GetReference(q);
        var (b0, b1, b2, b3) = (vectors > 0 ? Vector256.LoadUnsafe(ref q0) : default, vectors > 1 ? Vector256.LoadUnsafe(ref q0, 4u) : default,
                                vectors > 2 ? Vector256.LoadUnsafe(ref q0, 8u) : default, vectors > 3 ? Vector256.LoadUnsafe(ref q0, 12u) : default);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        for (int j = 0; j < w.Length; j++)
        {
            double a = double.CreateTruncating(w[j]);
            ref double zj = ref Unsafe.Add(ref z0, j * b);
            if (vectors > 0)
            {
                var av = Vector256.Create(a);
                Vector256.FusedMultiplyAdd(av, b0, Vector256.LoadUnsafe(ref zj)).StoreUnsafe(ref zj);
                if (vectors > 1) Vector256.FusedMultiplyAdd(av, b1, Vector256.LoadUnsafe(ref zj, 4u)).StoreUnsafe(ref zj, 4u);
                if (vectors > 2) Vector256.FusedMultiplyAdd(av, b2, Vector256.LoadUnsafe(ref zj, 8u)).StoreUnsafe(ref zj, 8u);
                if (vectors > 3) Vector256.FusedMultiplyAdd(av, b3, Vector256.LoadUnsafe(ref zj, 12u)).StoreUnsafe(ref zj, 12u);
            }
            for (int k = tail; k < b; k++) Unsafe.Add(ref zj, k) += a * q[k];
        }
    }
}
