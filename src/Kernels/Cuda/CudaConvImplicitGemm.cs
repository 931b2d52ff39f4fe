using RawGan.Engine;
using static RawGan.Kernels.Ops.ConvKernels;

namespace RawGan.Kernels.Cuda;

// Convolution by the implicit-GEMM kernels of kernels-cu/conv_igemm.cu: 64x64 output tiles, no column buffer.
// The weight gradient's product is long and narrow (inner dimension N·OH·OW, few tiles), so it is split over
// the inner dimension into partial products that a second kernel sums in a fixed order.
public sealed partial class CudaBackend
{
    private const int IgemmTile = 64, IgemmDepth = 16;

    // Each split of the weight gradient covers at least this many positions, so that its partial product is
    // worth a block: 16 slices of 16.
    private const int MinPositionsPerSplit = 256;

    /// <summary>
    /// Whether the implicit-GEMM kernels can take <paramref name="g"/>: they index in 32 bits, so x, y and w must
    /// each hold fewer than 2^31 elements. Larger convolutions use the chunked im2col path.
    /// </summary>
    private static bool ImplicitGemmFits(in Conv2dGeometry g) =>
        (long)g.N * g.C * g.H * g.W <= int.MaxValue && (long)g.N * g.K * g.OutH * g.OutW <= int.MaxValue &&
        (long)g.K * g.C * g.R * g.S <= int.MaxValue;

    private void ImplicitGemmForward(Storage x, Storage w, Storage y, in Conv2dGeometry g) =>
        Launch(ImplicitForward.For(x.DType), Tiles(g.K, (long)g.N * g.OutH * g.OutW), Block, 0, [Ptr(x), Ptr(w), Ptr(y), .. ShapeArgs(g)]);

    private void ImplicitGemmBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g) =>
        Launch(ImplicitBackwardData.For(dx.DType), Tiles(g.C, (long)g.N * g.H * g.W), Block, 0, [Ptr(dy), Ptr(w), Ptr(dx), .. ShapeArgs(g)]);

    private void ImplicitGemmBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g)
    {
        int crs = g.C * g.R * g.S, count = g.K * crs;
        var (splits, perSplit) = WeightSplits(g);
        uint grid = Tiles(g.K, crs) * (uint)splits;
        if (splits == 1)
        {
            Launch(ImplicitBackwardWeight.For(x.DType), grid, Block, 0, [Ptr(x), Ptr(dy), Ptr(dw), .. ShapeArgs(g), perSplit]);
            return;
        }
        using var partial = Allocate(x.DType, (long)splits * count);
        Launch(ImplicitBackwardWeight.For(x.DType), grid, Block, 0, [Ptr(x), Ptr(dy), Ptr(partial), .. ShapeArgs(g), perSplit]);
        Launch(SumSplits.For(x.DType), GridFor(count), Block, 0, Ptr(partial), Ptr(dw), count, splits);
    }

    /// <summary>
    /// Splits of the weight gradient's inner dimension N·OH·OW: enough blocks for two per multiprocessor, each
    /// split a whole number of 16-deep slices and at least <see cref="MinPositionsPerSplit"/> deep, and the
    /// partial products within the temporaries' budget.
    /// </summary>
    private (int Splits, int PerSplit) WeightSplits(in Conv2dGeometry g)
    {
        long positions = (long)g.N * g.OutH * g.OutW, count = (long)g.K * g.C * g.R * g.S;
        long tiles = Tiles(g.K, g.C * g.R * g.S);
        long wanted = (2L * Context.MultiprocessorCount + tiles - 1) / Math.Max(1, tiles);
        long byDepth = Math.Max(1, positions / MinPositionsPerSplit);
        long byBudget = Math.Max(1, ConvChunkElements / Math.Max(1, count));
        long splits = Math.Max(1, Math.Min(wanted, Math.Min(byDepth, byBudget)));
        long perSplit = (positions + splits - 1) / splits;
        perSplit = Math.Max(IgemmDepth, (perSplit + IgemmDepth - 1) / IgemmDepth * IgemmDepth);
        splits = Math.Max(1, (positions + perSplit - 1) / perSplit);
        return ((int)splits, (int)perSplit);
    }

    // Blocks for an m × n product in 64x64 tiles.
    private static uint Tiles(long m, long n) => (uint)(((m + IgemmTile - 1) / IgemmTile) * ((n + IgemmTile - 1) / IgemmTile));

    private static KernelArg[] ShapeArgs(in Conv2dGeometry g) =>
        [g.N, g.C, g.H, g.W, g.K, g.R, g.S, g.OutH, g.OutW, g.StrideH, g.StrideW, g.PadH, g.PadW];
}
