using RawGan.Engine;
using RawGan.Engine.Backends;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// A ReduceSum index space as the reduce kernels take it: x's dimensions merged (as the CPU backend merges
/// them) and split into kept ones, whose row-major enumeration is y's contiguous order, and reduced ones, each
/// side padded to four dimensions. Merged dimensions alternate between kept and reduced, so any shape of rank
/// up to 8 fits.
/// </summary>
internal sealed class ReductionLayout
{
    private const int MaxDims = 4;

    private ReductionLayout(int[] keptDims, long[] keptStrides, int[] reducedDims, long[] reducedStrides, bool innermostKept)
    {
        KeptDims = keptDims;
        KeptStrides = keptStrides;
        ReducedDims = reducedDims;
        ReducedStrides = reducedStrides;
        InnermostKept = innermostKept;
        Outputs = keptDims.Aggregate(1L, (p, d) => p * d);
        Count = reducedDims.Aggregate(1L, (p, d) => p * d);
    }

    /// <summary>Sizes of the kept dimensions, outer to inner, padded in front with 1.</summary>
    public int[] KeptDims { get; }

    /// <summary>x's strides along the kept dimensions (0 for padding).</summary>
    public long[] KeptStrides { get; }

    /// <summary>Sizes of the reduced dimensions, outer to inner, padded in front with 1.</summary>
    public int[] ReducedDims { get; }

    /// <summary>x's strides along the reduced dimensions (0 for padding).</summary>
    public long[] ReducedStrides { get; }

    /// <summary>True when x's innermost (stride 1) merged dimension is kept: neighbouring outputs read neighbouring elements.</summary>
    public bool InnermostKept { get; }

    /// <summary>Number of outputs (y's length).</summary>
    public long Outputs { get; }

    /// <summary>Number of x elements summed into each output.</summary>
    public long Count { get; }

    /// <summary>
    /// The layout of reducing a contiguous x of <paramref name="xShape"/> to y of <paramref name="yShape"/> (same
    /// rank, 1 on the reduced axes). Validates the shapes as the CPU backend does; x must have no zero-size axis.
    /// </summary>
    public static ReductionLayout Create(ReadOnlySpan<int> xShape, ReadOnlySpan<int> yShape)
    {
        Validate(xShape, yShape);
        if (xShape.Contains(0)) throw new ArgumentException("ReductionLayout needs a non-empty x.", nameof(xShape));
        var xStrides = new Shape(xShape).ContiguousStrides();
        var yStrides = new Shape(yShape).ContiguousStrides();
        for (int i = 0; i < xShape.Length; i++)
        {
            if (yShape[i] == 1) yStrides[i] = 0;
        }
        // Operand 0 is x, operand 1 is y: y's stride is 0 exactly along the reduced dimensions.
        var it = new StridedIterator(xShape, xStrides, yStrides);
        var kept = new List<(int Dim, long Stride)>();
        var reduced = new List<(int Dim, long Stride)>();
        for (int d = 0; d < it.Rank; d++) (it.Stride(1, d) == 0 ? reduced : kept).Add((it.Dim(d), it.Stride(0, d)));
        if (kept.Count > MaxDims || reduced.Count > MaxDims)
            throw new NotSupportedException($"The CUDA reduction handles up to {MaxDims} kept and {MaxDims} reduced dimensions after merging; reducing {new Shape(xShape)} to {new Shape(yShape)} needs more.");
        var (kd, ks) = Pad(kept);
        var (rd, rs) = Pad(reduced);
        return new ReductionLayout(kd, ks, rd, rs, it.Stride(1, it.Rank - 1) != 0);
    }

    /// <summary>Checks, as the CPU backend does, that y has x's rank and each axis of y is 1 or x's size.</summary>
    public static void Validate(ReadOnlySpan<int> xShape, ReadOnlySpan<int> yShape)
    {
        if (xShape.Length != yShape.Length) throw new ArgumentException("ReduceSum needs shapes of equal rank.");
        for (int i = 0; i < xShape.Length; i++)
        {
            if (yShape[i] != 1 && yShape[i] != xShape[i])
                throw new ArgumentException($"ReduceSum cannot reduce {new Shape(xShape)} to {new Shape(yShape)}.");
        }
    }

    /// <summary>The second pass of a split reduction: <paramref name="rows"/> contiguous rows of <paramref name="length"/> partial sums.</summary>
    public static ReductionLayout Rows(int rows, int length) =>
        new([1, 1, 1, rows], [0, 0, 0, length], [1, 1, 1, length], [0, 0, 0, 1], innermostKept: false);

    private static (int[] Dims, long[] Strides) Pad(List<(int Dim, long Stride)> dims)
    {
        var sizes = new int[MaxDims];
        var strides = new long[MaxDims];
        int pad = MaxDims - dims.Count;
        for (int i = 0; i < MaxDims; i++)
        {
            sizes[i] = i < pad ? 1 : dims[i - pad].Dim;
            strides[i] = i < pad ? 0 : dims[i - pad].Stride;
        }
        return (sizes, strides);
    }
}
