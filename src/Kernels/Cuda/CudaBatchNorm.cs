using RawGan.Engine;
using static RawGan.Kernels.Ops.BatchNormKernels;

namespace RawGan.Kernels.Cuda;

// Batch norm (kernels-cu/batchnorm.cu, which says what each kernel reads and writes). Statistics and the backward's
// sums reduce each plane segment in a group of lanes, then combine a channel's segments in a fixed order (no atomics:
// the same result every run); the forward and dx are single elementwise passes of 16-byte loads and stores.
public sealed partial class CudaBackend
{
    /// <summary>Elements per reduction segment: a multiple of every pack width, 8 loads per lane of a warp in float32.</summary>
    private const int SegmentElements = 1024;

    /// <inheritdoc/>
    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance)
    {
        if ((long)n * spatial == 0)
        {
            // The mean of nothing, as the CPU computes it (0/0).
            Fill(mean, double.NaN);
            Fill(variance, double.NaN);
            return;
        }
        int planes = CheckPlanes(n, c, spatial);
        long segments = Segments(planes, spatial);
        using var sums = Allocate(AccumulationType(x.DType), 2 * segments); // mean, then M2, per segment
        Launch(StatsSegments.For(x.DType), SegmentGrid(segments, spatial, x.DType), Block, 0, Ptr(x), Ptr(sums), Ptr(sums, segments),
               planes, spatial, SegmentElements);
        Launch(StatsCombine.For(x.DType), WarpGrid(c), Block, 0, Ptr(sums), Ptr(sums, segments), Ptr(mean), Ptr(variance),
               n, c, spatial, SegmentElements);
    }

    /// <inheritdoc/>
    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                                 Storage y, int n, int c, int spatial)
    {
        int planes = CheckPlanes(n, c, spatial);
        Launch(Forward.For(x.DType), ElementGrid((long)planes * spatial, x.DType), Block, 0, Ptr(x), Ptr(mean), Ptr(variance),
               PtrOrZero(gamma), PtrOrZero(beta), eps, Ptr(y), planes, c, spatial);
    }

    /// <inheritdoc/>
    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                                  bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial)
    {
        if ((long)n * spatial == 0)
        {
            // Sums over no elements.
            if (dgamma is not null) Fill(dgamma, 0);
            if (dbeta is not null) Fill(dbeta, 0);
            return;
        }
        int planes = CheckPlanes(n, c, spatial);
        long segments = Segments(planes, spatial);
        var acc = AccumulationType(x.DType);
        using var sums = Allocate(acc, 2 * segments); // Σdy, then Σdy·(x − μ), per segment
        using var coefficients = Allocate(acc, 3L * c); // a, b, q per channel
        if (batchStatistics || dgamma is not null || dbeta is not null)
            Launch(BackwardSegments.For(x.DType), SegmentGrid(segments, spatial, x.DType), Block, 0, Ptr(x), Ptr(dy), Ptr(mean),
                   Ptr(sums), Ptr(sums, segments), planes, c, spatial, SegmentElements);
        else
            Fill(sums, 0); // fixed statistics and no affine gradients: dx = γ·invstd·dy needs no sums
        Launch(BackwardCombine.For(x.DType), WarpGrid(c), Block, 0, Ptr(variance), PtrOrZero(gamma), Ptr(sums), Ptr(sums, segments), eps,
               batchStatistics ? 1 : 0, PtrOrZero(dgamma), PtrOrZero(dbeta), Ptr(coefficients), Ptr(coefficients, c), Ptr(coefficients, 2L * c),
               n, c, spatial, SegmentElements);
        Launch(BackwardApply.For(x.DType), ElementGrid((long)planes * spatial, x.DType), Block, 0, Ptr(x), Ptr(dy), Ptr(mean),
               Ptr(coefficients), Ptr(coefficients, c), Ptr(coefficients, 2L * c), Ptr(dx), planes, c, spatial);
    }

    /// <summary>
    /// The dtype the memory-bound kernels compute in for a storage dtype (Acc&lt;T&gt; in common.cuh), which is also the
    /// dtype of batch norm's statistics and parameters: Float32 for BFloat16 activations.
    /// </summary>
    private static DType AccumulationType(DType storage) => storage == DType.BFloat16 ? DType.Float32 : storage;

    private static long Segments(int planes, int spatial) => (long)planes * ((spatial + SegmentElements - 1) / SegmentElements);

    /// <summary>
    /// Blocks for a segment reduction: a group of G lanes per segment (G as the kernel picks it from the loads per
    /// segment), at most one full wave of resident blocks; the kernel loops over the rest.
    /// </summary>
    private uint SegmentGrid(long segments, int spatial, DType dtype)
    {
        int width = PackWidth(dtype), units = Math.Min(SegmentElements, spatial) / (spatial % width == 0 ? width : 1), lanes = 1;
        while (lanes < units && lanes < 32) lanes <<= 1;
        long warps = (segments * lanes + 31) / 32;
        return (uint)Math.Clamp((warps + Block / 32 - 1) / (Block / 32), 1, ResidentBlocks);
    }

    /// <summary>Blocks for a warp per channel.</summary>
    private uint WarpGrid(int channels) => (uint)Math.Clamp((channels + Block / 32 - 1) / (Block / 32), 1, ResidentBlocks);

    // The kernels index planes (sample, channel) and elements in 32 bits.
    private static int CheckPlanes(int n, int c, int spatial)
    {
        long planes = (long)n * c;
        if (planes * spatial > int.MaxValue)
            throw new NotSupportedException($"Batch norm over {n}·{c}·{spatial} elements: the CUDA kernels index at most 2^31 − 1.");
        return (int)planes;
    }
}
