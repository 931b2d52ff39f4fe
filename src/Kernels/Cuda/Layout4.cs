using RawGan.Engine.Backends;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// An index space merged (as the CPU backend does) and padded to exactly four dimensions, the form the
/// strided kernels take as scalar parameters: sizes d0..d3 and, per operand, strides s0..s3.
/// </summary>
internal readonly struct Layout4
{
    private readonly int[] _dims;
    private readonly long[][] _strides;

    public Layout4(ReadOnlySpan<int> shape, params long[][] strides)
    {
        var it = new StridedIterator(shape, strides);
        if (it.Rank > 4)
            throw new NotSupportedException($"The CUDA strided kernels handle up to 4 dimensions after merging; shape ({string.Join(", ", shape.ToArray())}) needs {it.Rank}.");
        int pad = 4 - it.Rank;
        _dims = new int[4];
        _strides = new long[strides.Length][];
        for (int o = 0; o < strides.Length; o++) _strides[o] = new long[4];
        for (int d = 0; d < 4; d++)
        {
            _dims[d] = d < pad ? 1 : it.Dim(d - pad);
            for (int o = 0; o < strides.Length; o++) _strides[o][d] = d < pad ? 0 : it.Stride(o, d - pad);
        }
        Count = (long)_dims[0] * _dims[1] * _dims[2] * _dims[3];
    }

    /// <summary>Number of elements.</summary>
    public long Count { get; }

    public int D(int i) => _dims[i];

    public long S(int operand, int i) => _strides[operand][i];
}
