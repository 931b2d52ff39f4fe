using RawGan.Engine;
using static RawGan.Kernels.Ops.ReductionKernels;
using static RawGan.Kernels.Ops.SoftmaxKernels;

namespace RawGan.Kernels.Cuda;

// ReduceSum and row softmax: kernels-cu/reduction.cu and kernels-cu/softmax.cu.
public sealed partial class CudaBackend
{
    /// <summary>Longest sum (elements per output) left to one warp; longer ones get a block.</summary>
    private const int WarpReduceMax = 1024;

    /// <summary>Shortest chunk a block-per-output reduction is split into (32 elements per thread).</summary>
    private const long BlockChunkMin = 8192;

    /// <summary>Shortest chunk a column reduction is split into (32 rows per warp).</summary>
    private const long ColsChunkMin = 256;

    /// <summary>Most partial sums per output: the second pass stays one warp per output.</summary>
    private const int MaxSplits = WarpReduceMax;

    /// <summary>Longest softmax row left to one warp (attention rows: HW/4 ≤ 1024).</summary>
    private const int WarpSoftmaxMax = 1024;

    /// <inheritdoc/>
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale)
    {
        ReductionLayout.Validate(xShape, yShape);
        if (xShape.Contains(0))
        {
            Fill(y, 0); // a sum over nothing (or no outputs at all)
            return;
        }
        var l = ReductionLayout.Create(xShape, yShape);

        // Pick the kernel, then split long sums with few outputs so the device has enough blocks to fill it.
        KernelTable kernel;
        int splits = 1;
        long deviceFill = Context.MultiprocessorCount * 8L; // 256-thread blocks resident at once (2048 threads per SM)
        if (l.InnermostKept)
        {
            kernel = ReduceCols;
            splits = Splits(l.Count, (l.Outputs + 31) / 32, deviceFill, ColsChunkMin);
        }
        else if (l.Count <= WarpReduceMax)
        {
            kernel = ReduceWarp;
        }
        else
        {
            kernel = ReduceBlock;
            splits = Splits(l.Count, l.Outputs, deviceFill, BlockChunkMin);
        }
        long chunk = (l.Count + splits - 1) / splits;
        splits = (int)((l.Count + chunk - 1) / chunk); // no empty chunks

        if (splits == 1)
        {
            LaunchReduce(kernel, l, x, y, 1, chunk, scale);
            return;
        }
        // Pass one: partial sums (outputs, splits); pass two: one warp sums each row of them.
        using var partial = Allocate(y.DType, l.Outputs * splits); // y's dtype: a bfloat16 x sums into float32
        LaunchReduce(kernel, l, x, partial, splits, chunk, 1);
        LaunchReduce(ReduceWarp, ReductionLayout.Rows(checked((int)l.Outputs), splits), partial, y, 1, splits, scale);
    }

    /// <summary>How many chunks to split each output's sum into: enough work items to fill the device, chunks no shorter than <paramref name="minChunk"/>.</summary>
    private static int Splits(long count, long items, long deviceFill, long minChunk) =>
        items >= deviceFill ? 1 : (int)Math.Clamp(Math.Min(deviceFill / items, count / minChunk), 1, MaxSplits);

    private void LaunchReduce(KernelTable kernel, ReductionLayout l, Storage x, Storage y, int splits, long chunk, double scale)
    {
        long cap = Context.MultiprocessorCount * 32L; // the kernels loop over work items beyond the grid
        uint grid = kernel == ReduceWarp ? GridFor(l.Outputs * splits * 32) // 8 warps per block
                  : kernel == ReduceBlock ? (uint)Math.Min(l.Outputs * splits, cap)
                  : (uint)Math.Min((l.Outputs + 31) / 32 * splits, cap);
        int[] kd = l.KeptDims, rd = l.ReducedDims;
        long[] ks = l.KeptStrides, rs = l.ReducedStrides;
        Launch(kernel.For(x.DType), grid, Block, 0, Ptr(x), Ptr(y),
               l.Outputs, kd[1], kd[2], kd[3], ks[0], ks[1], ks[2], ks[3],
               l.Count, rd[1], rd[2], rd[3], rs[0], rs[1], rs[2], rs[3],
               splits, chunk, Scalar(x, scale));
    }

    /// <inheritdoc/>
    public void SoftmaxForward(Storage x, Storage y, int rows, int cols)
    {
        if (rows == 0 || cols == 0) return;
        bool warp = cols <= WarpSoftmaxMax;
        Launch((warp ? ForwardWarp : ForwardBlock).For(x.DType), SoftmaxGrid(rows, warp), Block, 0, Ptr(x), Ptr(y), rows, cols);
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        if (rows == 0 || cols == 0) return;
        bool warp = cols <= WarpSoftmaxMax;
        Launch((warp ? BackwardWarp : BackwardBlock).For(y.DType), SoftmaxGrid(rows, warp), Block, 0, Ptr(y), Ptr(dy), Ptr(dx), rows, cols);
    }

    /// <summary>One warp (8 per block) or one block per row; the kernels loop over rows beyond the grid.</summary>
    private uint SoftmaxGrid(int rows, bool warp) =>
        warp ? GridFor(rows * 32L) : (uint)Math.Min(rows, Context.MultiprocessorCount * 32L);
}
