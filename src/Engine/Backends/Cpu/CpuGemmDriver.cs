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

    /// <summary>Runs one product; <paramref name="parallel"/> false keeps it on the calling thread.</summary>
    public static unsafe void Run<TA, TB>(int m, int n, int k, T alpha, TA a, TB b, T beta,
                                          T[] c, long cOffset, int ldc, bool parallel)
        where TA : struct, IGemmPanelSource<T>
        where TB : struct, IGemmPanelSource<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == T.Zero)
        {
            ScaleC(m, n, beta, c, cOffset, ldc);
            return;
        }
        int nr = NR;
        int mcMax = Math.Min(MC, RoundUp(m, MR)), ncMax = Math.Min(NC, RoundUp(n, nr)), kcMax = Math.Min(KC, k);
        T[] aPack = ArrayPool<T>.Shared.Rent(mcMax * kcMax);
        T[] bPack = ArrayPool<T>.Shared.Rent(ncMax * kcMax);
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
                    int bPanels = (nc + nr - 1) / nr;
                    int bChunks = threads ? Math.Min(bPanels, PackChunksPerThread * Environment.ProcessorCount) : 1;
                    For(bChunks, threads, chunk =>
                    {
                        int p0 = bPanels * chunk / bChunks, p1 = bPanels * (chunk + 1) / bChunks;
                        fixed (T* bp = bPack) b.Pack(bp + (long)p0 * nr * kc, jc + p0 * nr, Math.Min(nc, p1 * nr) - p0 * nr, pc, kc, nr);
                    });
                    for (int ic = 0; ic < m; ic += MC)
                    {
                        int mc = Math.Min(MC, m - ic);
                        int aPanels = (mc + MR - 1) / MR;
                        int aChunks = threads ? Math.Min(aPanels, PackChunksPerThread * Environment.ProcessorCount) : 1;
                        For(aChunks, threads, chunk =>
                        {
                            int p0 = aPanels * chunk / aChunks, p1 = aPanels * (chunk + 1) / aChunks;
                            fixed (T* ap = aPack) a.Pack(ap + (long)p0 * MR * kc, ic + p0 * MR, Math.Min(mc, p1 * MR) - p0 * MR, pc, kc, MR);
                        });
                        var grid = new TileGrid(aPanels, bPanels, threads);
                        For(grid.Count, threads, tile =>
                        {
                            var (i0, i1, j0, j1) = grid.Tile(tile);
                            ComputeTile(aPack, bPack, kc, i0 * MR, Math.Min(mc, i1 * MR), j0 * nr, Math.Min(nc, j1 * nr),
                                        c, cOffset + (long)ic * ldc + jc, ldc, alpha, betaBlock, overwrite);
                        });
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(aPack);
            ArrayPool<T>.Shared.Return(bPack);
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

    // Rows [i0, i1) and columns [j0, j1) of the packed block; cBlock is where the block's (0, 0) lies in c.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ComputeTile(T[] aPack, T[] bPack, int kc, int i0, int i1, int j0, int j1,
                                           T[] c, long cBlock, int ldc, T alpha, T beta, bool overwrite)
    {
        int nr = NR;
        T* edge = stackalloc T[MaxTileElements];
        fixed (T* ap = aPack, bp = bPack, c0 = c)
        {
            // A micro-panel (MR·KC) stays in L1 while the tile's B micro-panels stream from L2.
            for (int i = i0; i < i1; i += MR)
            {
                int mi = Math.Min(MR, i1 - i);
                T* aPanel = ap + (long)i * kc;
                for (int j = j0; j < j1; j += nr)
                {
                    int nj = Math.Min(nr, j1 - j);
                    T* bPanel = bp + (long)j * kc;
                    T* cTile = c0 + cBlock + (long)i * ldc + j;
                    if (mi == MR && nj == nr)
                    {
                        GemmKernel<T, TV, TS>.Tile(kc, aPanel, bPanel, cTile, ldc, alpha, beta, overwrite);
                    }
                    else
                    {
                        // Edge tile: compute the full register tile into a scratch tile, then merge the valid part.
                        GemmKernel<T, TV, TS>.Tile(kc, aPanel, bPanel, edge, nr, alpha, T.Zero, overwrite: true);
                        for (int r = 0; r < mi; r++)
                        {
                            T* dst = cTile + (long)r * ldc;
                            T* src = edge + r * nr;
                            if (overwrite) for (int t = 0; t < nj; t++) dst[t] = src[t];
                            else for (int t = 0; t < nj; t++) dst[t] = src[t] + beta * dst[t];
                        }
                    }
                }
            }
        }
    }

    // k = 0 or alpha = 0: C = beta·C, with beta = 0 clearing C whatever it held.
    private static void ScaleC(int m, int n, T beta, T[] c, long cOffset, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = CpuBackend.Slice(c, cOffset + (long)i * ldc, n);
            if (beta == T.Zero) row.Clear();
            else if (beta != T.One) for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    private static void For(int count, bool parallel, Action<int> body)
    {
        if (parallel && count > 1) Parallel.For(0, count, body);
        else for (int i = 0; i < count; i++) body(i);
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
