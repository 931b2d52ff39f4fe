using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RawGan.Engine.Backends.Cpu;

// The subspace iteration's per-matrix block work: orthonormalisation, Rayleigh–Ritz and the residual (the reference
// of kernels-cu/subspace.cu, one CUDA block per matrix there, one task per matrix here). O((rows + cols)·b²) each.
internal sealed partial class CpuBackend
{
    private const int Stride = SubspaceBatch.StateStride;

    public void SubspaceOrthonormalize(SubspaceBatch batch, bool columnSide, Storage x, Storage state, ulong seed)
    {
        var xs = Data<double>(x);
        var st = Data<double>(state);
        PerMatrix(batch, st, columnSide, l =>
        {
            int n = columnSide ? batch.Cols[l] : batch.Rows[l], b = batch.Block[l];
            var block = xs.AsSpan((int)(columnSide ? batch.ColOffset[l] : batch.RowOffset[l]), n * b);
            OrthonormalizeBlock(block, n, b, seed, batch.Rows[l], batch.Cols[l]);
        });
    }

    public void SubspaceRayleighRitz(SubspaceBatch batch, Storage q, Storage z, Storage u, Storage v, Storage state, int iteration, double settle)
    {
        var qs = Data<double>(q);
        var zs = Data<double>(z);
        var us = Data<double>(u);
        var vs = Data<double>(v);
        var st = Data<double>(state);
        PerMatrix(batch, st, columnSide: true, l =>
        {
            int m = batch.Rows[l], n = batch.Cols[l], b = batch.Block[l];
            var zl = zs.AsSpan((int)batch.ColOffset[l], n * b);
            var gram = new double[b * b];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < b; i++) Axpy(zl[r * b + i], ref zl[r * b], ref gram[i * b], b); // symmetric: z_ri·z_rj either way
            var (lambda, p) = JacobiEigen.Decompose(gram, b);
            var row = st.AsSpan(l * Stride, Stride);
            double sigma0 = Math.Sqrt(Math.Max(lambda[0], 0));
            bool settled = iteration > 0;
            for (int i = 0; i < b; i++)
            {
                double sigma = Math.Sqrt(Math.Max(lambda[i], 0));
                if (i < batch.Wanted[l]) settled &= Math.Abs(sigma - row[i]) <= settle * sigma0;
                row[i] = sigma;
            }
            row[SubspaceBatch.SettledSlot] = settled ? 1 : 0;
            MultiplyRows(qs.AsSpan((int)batch.RowOffset[l], m * b), us.AsSpan((int)batch.RowOffset[l], m * b), p, b);
            MultiplyRows(zl, vs.AsSpan((int)batch.ColOffset[l], n * b), p, b);
        });
    }

    public void SubspaceResidual(SubspaceBatch batch, Storage y, Storage u, Storage state, int iteration, double tolerance)
    {
        var ys = Data<double>(y);
        var us = Data<double>(u);
        var st = Data<double>(state);
        PerMatrix(batch, st, columnSide: false, l =>
        {
            int m = batch.Rows[l], b = batch.Block[l];
            var yl = ys.AsSpan((int)batch.RowOffset[l], m * b);
            var ul = us.AsSpan((int)batch.RowOffset[l], m * b);
            var row = st.AsSpan(l * Stride, Stride);
            double worst = 0;
            for (int i = 0; i < batch.Wanted[l]; i++)
            {
                double s = 0;
                for (int r = 0; r < m; r++)
                {
                    double d = yl[r * b + i] - row[i] * ul[r * b + i];
                    s += d * d;
                }
                worst = Math.Max(worst, Math.Sqrt(s));
            }
            double residual = row[0] > 0 ? worst / row[0] : worst;
            row[SubspaceBatch.ResidualSlot] = residual;
            row[SubspaceBatch.IterationsSlot] = iteration;
            row[SubspaceBatch.DoneSlot] = residual <= tolerance || row[SubspaceBatch.SettledSlot] != 0 ? 1 : 0;
        });
    }

    // Classical Gram–Schmidt twice per column ("twice is enough"), replacing a column that vanishes. Norms are
    // compared squared, as in the kernel (which keeps the double sqrt out of its loop).
    private static void OrthonormalizeBlock(Span<double> x, int n, int b, ulong seed, int rows, int cols)
    {
        double scale2 = 0;
        for (int c = 0; c < b; c++) scale2 = Math.Max(scale2, ColumnNorm2(x, n, b, c));
        for (int c = 0; c < b; c++)
        {
            double before2 = ColumnNorm2(x, n, b, c);
            ProjectOut(x, n, b, c);
            ProjectOut(x, n, b, c);
            double after2 = ColumnNorm2(x, n, b, c);
            for (int attempt = 0; attempt < 10 && (after2 <= 1e-24 * Math.Max(scale2, before2) || after2 == 0); attempt++)
            {
                for (int r = 0; r < n; r++) x[r * b + c] = PseudoRandom(seed, rows, cols, c, attempt, r);
                scale2 = before2 = 1;
                ProjectOut(x, n, b, c);
                ProjectOut(x, n, b, c);
                after2 = ColumnNorm2(x, n, b, c);
            }
            double inverse = 1 / Math.Sqrt(after2);
            for (int r = 0; r < n; r++) x[r * b + c] *= inverse;
        }
    }

    // x_c −= Σ_{p<c} (x_p·x_c) x_p with all the dot products taken before the update (classical Gram–Schmidt),
    // each pass along the rows (a row holds x_0..x_c contiguously).
    private static void ProjectOut(Span<double> x, int n, int b, int c)
    {
        if (c == 0) return;
        Span<double> dots = stackalloc double[SubspaceBatch.MaxBlock];
        dots.Clear();
        for (int r = 0; r < n; r++) Axpy(x[r * b + c], ref x[r * b], ref dots[0], c);
        for (int r = 0; r < n; r++) x[r * b + c] -= Dot(ref dots[0], ref x[r * b], c);
    }

    private static double ColumnNorm2(ReadOnlySpan<double> x, int n, int b, int c)
    {
        double s = 0;
        for (int r = 0; r < n; r++) s += x[r * b + c] * x[r * b + c];
        return s;
    }

    // dst (n×b) = src·P for a b×b row-major P (dst a different block).
    private static void MultiplyRows(ReadOnlySpan<double> src, Span<double> dst, double[] p, int b)
    {
        dst.Clear();
        for (int r = 0; r < src.Length / b; r++)
            for (int j = 0; j < b; j++) Axpy(src[r * b + j], ref p[j * b], ref dst[r * b], b);
    }

    // y[0..n) += a·x[0..n) for a row of a block (n ≤ 16), four lanes at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(double a, ref double x, ref double y, int n)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var av = Vector256.Create(a);
            for (; k + 4 <= n; k += 4)
                Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k)).StoreUnsafe(ref y, (nuint)k);
        }
        for (; k < n; k++) Unsafe.Add(ref y, k) += a * Unsafe.Add(ref x, k);
    }

    // Σ x[0..n)·y[0..n) for a row of a block (n ≤ 16).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ref double x, ref double y, int n)
    {
        int k = 0;
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            var acc = Vector256<double>.Zero;
            for (; k + 4 <= n; k += 4) acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k), acc);
            s = Vector256.Sum(acc);
        }
        for (; k < n; k++) s += Unsafe.Add(ref x, k) * Unsafe.Add(ref y, k);
        return s;
    }

    /// <summary>
    /// Uniform in [−0.5, 0.5) from a SplitMix64 hash of the arguments: the replacement columns of the
    /// orthonormalisation, the same bits as subspace.cu's sv_random.
    /// </summary>
    internal static double PseudoRandom(ulong seed, int rows, int cols, int column, int attempt, int row)
    {
        ulong h = Mix(seed ^ ((ulong)(uint)rows << 32 | (uint)cols));
        h = Mix(h ^ ((ulong)(uint)column << 32 | (uint)attempt));
        h = Mix(h ^ (uint)row);
        return (h >> 11) * (1.0 / (1UL << 53)) - 0.5;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // body(l) for every matrix not done, in parallel when the blocks are big enough to pay for it.
    private static void PerMatrix(SubspaceBatch batch, double[] state, bool columnSide, Action<int> body)
    {
        var active = new List<int>();
        long work = 0;
        for (int l = 0; l < batch.Count; l++)
        {
            if (state[l * Stride + SubspaceBatch.DoneSlot] != 0) continue;
            active.Add(l);
            work += (long)(columnSide ? batch.Cols[l] : batch.Rows[l]) * batch.Block[l] * batch.Block[l];
        }
        if (work < SubspaceGrain || active.Count == 1) foreach (int l in active) body(l);
        else Parallel.ForEach(active, body);
    }
}
