using System.Collections;
using System.Runtime.CompilerServices;

namespace RawGan.Engine;

/// <summary>An immutable list of dimension sizes, row-major (the last dimension is contiguous).</summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape; every size must be non-negative.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Dimension sizes must be non-negative, got [{string.Join(", ", dims.ToArray())}].", nameof(dims));
        }
        _dims = dims.ToArray();
    }

    /// <summary>Builds a shape from a collection expression such as <c>[8, 3, 32, 32]</c>.</summary>
    public static Shape Create(ReadOnlySpan<int> dims) => new(dims);

    private int[] Dims => _dims ?? [];

    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <inheritdoc/>
    public int Count => Dims.Length;

    /// <summary>Size of dimension <paramref name="i"/>; negative indices count from the end.</summary>
    public int this[int i] => Dims[Normalize(i)];

    /// <summary>Total number of elements.</summary>
    public long Numel
    {
        get
        {
            long n = 1;
            foreach (var d in Dims) n *= d;
            return n;
        }
    }

    /// <summary>The sizes as a span (no copy).</summary>
    public ReadOnlySpan<int> AsSpan() => Dims;

    /// <summary>The sizes as a new array.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    /// <summary>Maps a possibly negative axis to [0, Rank).</summary>
    public int Normalize(int axis)
    {
        var a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Rank) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Axis out of range for shape {this}.");
        return a;
    }

    /// <summary>Row-major strides in elements.</summary>
    public long[] ContiguousStrides()
    {
        var s = new long[Rank];
        long acc = 1;
        for (int i = Rank - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= Dims[i];
        }
        return s;
    }

    /// <summary>The same shape with dimension <paramref name="axis"/> set to <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        var d = ToArray();
        d[Normalize(axis)] = size;
        return new Shape(d);
    }

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Shapes convert from int arrays.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <inheritdoc/>
    public override string ToString() => "(" + string.Join(", ", Dims) + ")";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The broadcast of two shapes under NumPy rules (align trailing dims; 1 stretches).</summary>
    public static Shape Broadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Rank) >= 0 ? a.Dims[i - (rank - a.Rank)] : 1;
            int db = i - (rank - b.Rank) >= 0 ? b.Dims[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes {a} and {b} do not broadcast (dimension {i}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return new Shape(r);
    }

    /// <summary>Strides (in elements) that read this shape broadcast to <paramref name="target"/>: 0 where stretched.</summary>
    public long[] BroadcastStrides(Shape target)
    {
        var own = ContiguousStrides();
        var s = new long[target.Rank];
        int off = target.Rank - Rank;
        for (int i = 0; i < Rank; i++)
        {
            s[i + off] = Dims[i] == 1 && target.Dims[i + off] != 1 ? 0 : own[i];
        }
        return s;
    }
}
