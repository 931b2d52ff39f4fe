namespace RawGan.Engine.Backends;

/// <summary>
/// Walks an n-d index space for several operands with their own strides, as rows of the innermost dimension.
/// Adjacent dimensions that are contiguous for every operand are merged first, so a per-channel broadcast over
/// NCHW becomes (N, C, H·W) and a plain copy becomes one long row.
/// </summary>
internal readonly struct StridedIterator
{
    private readonly int[] _dims;       // merged sizes, outer to inner
    private readonly long[][] _strides; // per operand, per merged dim

    public StridedIterator(ReadOnlySpan<int> shape, params ReadOnlySpan<long[]> strides) : this(shape, ToArray(strides)) { }

    public StridedIterator(ReadOnlySpan<int> shape, ReadOnlySpan<long> s0, ReadOnlySpan<long> s1) : this(shape, [s0.ToArray(), s1.ToArray()]) { }

    public StridedIterator(ReadOnlySpan<int> shape, ReadOnlySpan<long> s0, ReadOnlySpan<long> s1, ReadOnlySpan<long> s2)
        : this(shape, [s0.ToArray(), s1.ToArray(), s2.ToArray()]) { }

    private StridedIterator(ReadOnlySpan<int> shape, long[][] strides)
    {
        var dims = new List<int>();
        var merged = strides.Select(_ => new List<long>()).ToArray();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue; // size-1 dims never move
            bool canMerge = dims.Count > 0;
            for (int o = 0; o < strides.Length && canMerge; o++)
                canMerge = merged[o][^1] == strides[o][d] * shape[d];
            if (canMerge)
            {
                dims[^1] *= shape[d];
                for (int o = 0; o < strides.Length; o++) merged[o][^1] = strides[o][d];
            }
            else
            {
                dims.Add(shape[d]);
                for (int o = 0; o < strides.Length; o++) merged[o].Add(strides[o][d]);
            }
        }
        bool empty = false;
        foreach (var d in shape) empty |= d == 0;
        if (dims.Count == 0 || empty)
        {
            dims.Add(empty ? 0 : 1);
            foreach (var m in merged) m.Add(1);
        }
        _dims = [.. dims];
        _strides = merged.Select(m => m.ToArray()).ToArray();
    }

    private static long[][] ToArray(ReadOnlySpan<long[]> s) => s.ToArray();

    /// <summary>Length of each innermost row.</summary>
    public int InnerSize => _dims[^1];

    /// <summary>Number of rows (product of all merged dims but the innermost).</summary>
    public long Rows
    {
        get
        {
            long r = 1;
            for (int i = 0; i < _dims.Length - 1; i++) r *= _dims[i];
            return _dims[^1] == 0 ? 0 : r;
        }
    }

    /// <summary>Stride of operand <paramref name="operand"/> along the innermost row.</summary>
    public long InnerStride(int operand) => _strides[operand][^1];

    /// <summary>Element offset of the start of row <paramref name="row"/> for an operand.</summary>
    public long Offset(long row, int operand)
    {
        long off = 0;
        var s = _strides[operand];
        for (int d = _dims.Length - 2; d >= 0; d--)
        {
            long i = row % _dims[d];
            row /= _dims[d];
            off += i * s[d];
        }
        return off;
    }

    /// <summary>Size and stride of the outermost merged dimension (used to split work without races).</summary>
    public int OuterSize => _dims[0];

    public int Rank => _dims.Length;

    public long Stride(int operand, int dim) => _strides[operand][dim];

    public int Dim(int dim) => _dims[dim];
}
