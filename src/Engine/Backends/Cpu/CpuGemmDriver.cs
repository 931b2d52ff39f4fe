using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// The blocked, packed GEMM (the GotoBLAS/BLIS loop nest): C (m×n, row stride ldc) = alpha·op(A)·op(B) + beta·C.
/// For each block of NC columns and KC depth steps, B's block is packed once (shared by all threads); for each
/// block of MC rows, A's block is packed; then the MC×NC block of C is cut into tiles that the threads compute
/// with the micro-kernel. Packing buffers are rented, so a call allocates nothing proportional to its size.
/// </summary>
internal static class GemmDriver<T, TV, TS>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TV : struct
    where TS : IGemmSimd<T, TV>
{
    private static int MR => GemmKernel<T, TV, TS>.MR;

    private static int NR => GemmKernel<T, TV, TS>.NR;

    // Depth of a packed block: an A micro-panel (MR·KC) and a B micro-panel (NR·KC) stay in L1/L2.
    private const int KC = 256;

    // Rows of A packed at once and columns of B packed at once: bounds the buffers (MC·KC and KC·NC elements).
    private const int MC = 1536;
    private const int NC = 4096;

    // The unit of parallel work is a tile of C of about TileM×TileN, so that its A rows (TileM·KC) stay in L2
    // while B micro-panels stream through; tiles are cut smaller when that gives too few to share out.
    private const int TileM = 96;
    private const int TileN = 256;
    private const int TilesPerThread = 4;

    // The largest register tile: 8 rows of two 512-bit vectors of float.
    private const int MaxTileElements = 8 * 32;

    // Packing is shared out in a few runs of consecutive panels per thread.
    private const int PackChunksPerThread = 2;

    /// <summary>Elements of <see cref="PackA"/>'s result for an m × k operand A.</summary>
    public static long PackedASize(int m, int k) => (long)RoundUp(m, MR) * k;

    /// <summary>
    /// Packs all of A (m ≤ <see cref="MC"/> rows) into <paramref name="packed"/> as <see cref="Run"/> would block by
    /// block, so that products sharing A (a convolution's weights, image after image) pack it once.
    /// </summary>
    public static unsafe void PackA<TA>(int m, int k, TA a, T[] packed) where TA : struct, IGemmPanelSource<T>
    {
        if (m > MC) throw new ArgumentOutOfRangeException(nameof(m), m, $"A prepacked operand has at most {MC} rows.");
        fixed (T* ap = packed)
        {
            for (int pc = 0; pc < k; pc += KC) a.Pack(ap + (long)RoundUp(m, MR) * pc, 0, m, pc, Math.Min(KC, k - pc), MR);
        }
    }

    /// <summary>
    /// Runs one product; <paramref name="parallel"/> false keeps it on the calling thread. With
    /// <paramref name="rowBias"/> (m values) row i of C gets rowBias[i] added once the product is complete. With
    /// <paramref name="packedA"/> (from <see cref="PackA"/>, for this m and k) A is read from there, not packed.
    /// </summary>
    public static unsafe void Run<TA, TB>(int m, int n, int k, T alpha, TA a, TB b, T beta,
                                          T[] c, long cOffset, int ldc, bool parallel, T[]? rowBias = null, T[]? packedA = null)
        where TA : struct, IGemmPanelSource<T>
        where TB : struct, IGemmPanelSource<T>
    {
        if (packedA is not null && (m > MC || packedA.Length < PackedASize(m, k)))
            throw new ArgumentException($"The prepacked A holds {packedA.Length} elements; a {m}×{k} operand needs {PackedASize(m, k)} (and at most {MC} rows).", nameof(packedA));
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, cOffset, ldc, rowBias);
            return;
        }
        int nr = NR;
        if (TB.InPlace && n % nr != 0)
            throw new ArgumentException($"An operand read in place needs whole panels: {n} columns are not a multiple of {nr}.", nameof(b));
        int mcMax = Math.Min(MC, RoundUp(m, MR)), ncMax = Math.Min(NC, RoundUp(n, nr)), kcMax = Math.Min(KC, k);
        T[] aPack = packedA ?? ArrayPool<T>.Shared.Rent(mcMax * kcMax);
        // B packed, or (read in place) its depth offsets and two vector bases per panel.
        T[]? bPack = TB.InPlace ? null : ArrayPool<T>.Shared.Rent(ncMax * kcMax);
        long[]? bOffsets = TB.InPlace ? ArrayPool<long>.Shared.Rent(kcMax) : null;
        nint[]? bBases = TB.InPlace ? ArrayPool<nint>.Shared.Rent(2 * (ncMax / nr)) : null;
        try
        {
            // Small products are not worth waking another thread for.
            bool threads = parallel && Environment.ProcessorCount > 1 && (long)m * n * k >= 64L * 64 * 64;
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    // Only the first depth block applies the caller's beta; later ones accumulate.
                    bool overwrite = pc == 0 && beta == T.Zero;
                    T betaBlock = pc == 0 ? beta : T.One;
                    // The bias goes in with the last depth block, after the product's own rounding.
                    T[]? blockBias = pc + kc == k ? rowBias : null;
                    int bPanels = (nc + nr - 1) / nr;
                    if (TB.InPlace)
                    {
                        fixed (long* o = bOffsets) b.DepthOffsets(pc, kc, o);
                        fixed (nint* bases = bBases) b.PanelBases(jc, nc, nr, TS.Lanes, (T**)bases);
                    }
                    else
                    {
                        int bChunks = threads ? Math.Min(bPanels, PackChunksPerThread * Environment.ProcessorCount) : 1;
                        For(bChunks, threads, chunk =>
                        {
                            int p0 = bPanels * chunk / bChunks, p1 = bPanels * (chunk + 1) / bChunks;
                            fixed (T* bp = bPack) b.Pack(bp + (long)p0 * nr * kc, jc + p0 * nr, Math.Min(nc, p1 * nr) - p0 * nr, pc, kc, nr);
                        });
                    }
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        int aPanels = (mc + MR - 1) / MR;
                        long aBase = packedA is null ? 0 : (long)RoundUp(m, MR) * pc;
                        if (packedA is null)
                        {
                            int aChunks = threads ? Math.Min(aPanels, PackChunksPerThread * Environment.ProcessorCount) : 1;
                            For(aChunks, threads, chunk =>
                            {
                                int p0 = aPanels * chunk / aChunks, p1 = aPanels * (chunk + 1) / aChunks;
                                fixed (T* ap = aPack) a.Pack(ap + (long)p0 * MR * kc, ic + p0 * MR, Math.Min(mc, p1 * MR) - p0 * MR, pc, kc, MR);
                            });
                        }
                        var grid = new TileGrid(aPanels, bPanels, threads);
                        For(grid.Count, threads, tile =>
                        {
                            var (i0, i1, j0, j1) = grid.Tile(tile);
                            var panels = new BPanels(bPack, bOffsets, bBases);
                            ComputeTile(aPack, aBase, panels, kc, i0 * MR, Math.Min(mc, i1 * MR), j0 * nr, Math.Min(nc, j1 * nr),
                                        c, cOffset + (long)ic * ldc + jc, ldc, alpha, betaBlock, overwrite, blockBias, ic);
                        });
                    }
                }
            }
        }
        finally
        {
            if (packedA is null) ArrayPool<T>.Shared.Return(aPack);
            if (bPack is not null) ArrayPool<T>.Shared.Return(bPack);
            if (bOffsets is not null) ArrayPool<long>.Shared.Return(bOffsets);
            if (bBases is not null) ArrayPool<nint>.Shared.Return(bBases);
        }
    }

    /// <summary>Splits a block of aPanels × bPanels micro-tiles into tiles of nearly equal size.</summary>
    private readonly struct TileGrid
    {
        private readonly int _aPanels, _bPanels, _rows, _cols;

        public TileGrid(int aPanels, int bPanels, bool threads)
        {
            _aPanels = aPanels;
            _bPanels = bPanels;
            _rows = (aPanels * MR + TileM - 1) / TileM;
            _cols = (bPanels * NR + TileN - 1) / TileN;
            // Too few tiles leave threads idle at the end: cut the columns finer, then the rows.
            int wanted = threads ? TilesPerThread * Environment.ProcessorCount : 1;
            while (_rows * _cols < wanted && _cols < bPanels) _cols++;
            while (_rows * _cols < wanted && _rows < aPanels) _rows++;
        }

        public int Count => _rows * _cols;

        /// <summary>Micro-panel ranges [i0, i1) of A and [j0, j1) of B of one tile.</summary>
        public (int I0, int I1, int J0, int J1) Tile(int index)
        {
            int r = index / _cols, c = index % _cols;
            return (r * _aPanels / _rows, (r + 1) * _aPanels / _rows, c * _bPanels / _cols, (c + 1) * _bPanels / _cols);
        }
    }

    // Rows [i0, i1) and columns [j0, j1) of the packed block (A's from aBase on); cBlock is where the block's
    // (0, 0) lies in c, and bias (when given) holds the row biases of C from row biasRow0 on.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ComputeTile(T[] aPack, long aBase, BPanels bPanels, int kc, int i0, int i1, int j0, int j1,
                                           T[] c, long cBlock, int ldc, T alpha, T beta, bool overwrite, T[]? bias, int biasRow0)
    {
        int nr = NR, lanes = TS.Lanes;
        T* edge = stackalloc T[MaxTileElements];
        fixed (T* ap = aPack, bp = bPanels.Packed, c0 = c, b0 = bias)
        fixed (long* offsets = bPanels.Offsets)
        fixed (nint* bases = bPanels.Bases)
        {
            // A micro-panel (MR·KC) stays in L1 while the tile's B micro-panels stream from L2.
            for (int i = i0; i < i1; i += MR)
            {
                int mi = Math.Min(MR, i1 - i);
                T* aPanel = ap + aBase + (long)i * kc;
                for (int j = j0; j < j1; j += nr)
                {
                    int nj = Math.Min(nr, j1 - j);
                    T* cTile = c0 + cBlock + (long)i * ldc + j;
                    T* rowBias = b0 == null ? null : b0 + biasRow0 + i;
                    if (bases == null)
                    {
                        Tile(kc, aPanel, new PackedPanel<T>(bp + (long)j * kc, lanes), cTile, ldc, alpha, beta, overwrite, rowBias, mi, nj, edge);
                    }
                    else
                    {
                        long q = 2L * (j / nr);
                        Tile(kc, aPanel, new OffsetPanel<T>((T*)bases[q], (T*)bases[q + 1], offsets), cTile, ldc, alpha, beta, overwrite, rowBias, mi, nj, edge);
                    }
                }
            }
        }
    }

    // One mi × nj tile of C (at most MR × NR); a partial one is computed whole into the scratch tile, then merged.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile<TB>(int kc, T* aPanel, TB bPanel, T* cTile, int ldc, T alpha, T beta, bool overwrite, T* rowBias,
                                        int mi, int nj, T* edge) where TB : struct, IBPanel<T>
    {
        int nr = NR;
        if (mi == MR && nj == nr)
        {
            GemmKernel<T, TV, TS>.Tile(kc, aPanel, bPanel, cTile, ldc, alpha, beta, overwrite, rowBias);
            return;
        }
        GemmKernel<T, TV, TS>.Tile(kc, aPanel, bPanel, edge, nr, alpha, T.Zero, overwrite: true);
        for (int r = 0; r < mi; r++)
        {
            T* dst = cTile + (long)r * ldc;
            T* src = edge + r * nr;
            if (overwrite) for (int t = 0; t < nj; t++) dst[t] = src[t];
            else for (int t = 0; t < nj; t++) dst[t] = src[t] + beta * dst[t];
            if (rowBias != null) for (int t = 0; t < nj; t++) dst[t] += rowBias[r];
        }
    }

    /// <summary>B of one block: packed panels, or (read in place) depth offsets and two vector bases per panel.</summary>
    private readonly record struct BPanels(T[]? Packed, long[]? Offsets, nint[]? Bases);

    // k = 0 or alpha = 0: C = beta·C (+ the row bias), with beta = 0 clearing C whatever it held.
    private static void ScaleC(int m, int n, T beta, T[] c, long cOffset, int ldc, T[]? rowBias)
    {
        for (int i = 0; i < m; i++)
        {
            var row = CpuBackend.Slice(c, cOffset + (long)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else if (beta != T.One) for (int j = 0; j < n; j++) row[j] *= beta;
            if (rowBias is not null) for (int j = 0; j < n; j++) row[j] += rowBias[i];
        }
    }

    private static void For(int count, bool parallel, Action<int> body)
    {
        if (parallel && count > 1) Parallel.For(0, count, body);
        else for (int i = 0; i < count; i++) body(i);
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
