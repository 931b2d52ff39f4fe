using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// A view with new dimension sizes of the same element count; one size may be −1 (inferred). Shares storage.
    /// (A <see cref="Shape"/> cannot hold −1, so the inference happens here, before one is built.)
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] dims)
    {
        return Reshape(x, InferShape(x.Numel, dims));
    }

    /// <summary>A view with a new shape of the same element count; shares storage.</summary>
    public static Tensor Reshape(Tensor x, Shape shape)
    {
        if (shape.Numel != x.Numel)
            throw new ArgumentException($"Cannot reshape {x.Shape} ({x.Numel} elements) to {shape} ({shape.Numel}).", nameof(shape));
        if (shape == x.Shape) return x;
        using var _ = Profiler.Scope(nameof(Reshape), shape: x.Shape, other: shape);
        var y = new Tensor(x.Storage.Retain(), shape);
        return Tape.Record(nameof(Reshape), y, [x], dy => [Reshape(dy, x.Shape)]);
    }

    /// <summary>
    /// <paramref name="fresh"/> (a result no one else holds yet, not part of a graph) under another shape: a view that
    /// takes over its storage, so that disposing the view frees it (no second tensor is left holding it).
    /// </summary>
    internal static Tensor ViewAs(Tensor fresh, Shape shape)
    {
        if (shape == fresh.Shape) return fresh;
        var view = new Tensor(fresh.Storage.Retain(), shape);
        fresh.Dispose();
        return view;
    }

    /// <summary>
    /// The shape of <paramref name="numel"/> elements with the given sizes, one of which may be −1 and is then
    /// inferred. (A <see cref="Shape"/> cannot hold −1, so the inference happens before one is built.)
    /// </summary>
    public static Shape InferShape(long numel, params int[] dims)
    {
        dims = (int[])dims.Clone();
        int infer = Array.IndexOf(dims, -1);
        if (infer >= 0)
        {
            long known = 1;
            for (int i = 0; i < dims.Length; i++) if (i != infer) known *= dims[i];
            dims[infer] = known == 0 ? 0 : (int)(numel / known);
        }
        return new Shape(dims);
    }

    /// <summary>Reorders dimensions: output dimension i is input dimension perm[i]. Copies.</summary>
    public static Tensor Permute(Tensor x, params int[] perm)
    {
        if (perm.Length != x.Rank) throw new ArgumentException($"Permute needs {x.Rank} axes for shape {x.Shape}, got {perm.Length}.", nameof(perm));
        var p = perm.Select(x.Shape.Normalize).ToArray();
        if (p.Distinct().Count() != p.Length) throw new ArgumentException($"Permute axes [{string.Join(", ", perm)}] repeat an axis.", nameof(perm));
        var inStrides = x.Shape.ContiguousStrides();
        var outDims = new int[x.Rank];
        var srcStrides = new long[x.Rank];
        for (int i = 0; i < x.Rank; i++)
        {
            outDims[i] = x.Shape[p[i]];
            srcStrides[i] = inStrides[p[i]];
        }
        var shape = new Shape(outDims);
        using var _ = Profiler.Scope(nameof(Permute), cost: OpCost.Memory(x.DType, x.Numel, x.Numel), shape: x.Shape);
        var y = Empty(x, shape);
        x.Backend.StridedCopy(x.Storage, 0, srcStrides, y.Storage, 0, shape.ContiguousStrides(), outDims);
        var inverse = new int[p.Length];
        for (int i = 0; i < p.Length; i++) inverse[p[i]] = i;
        return Tape.Record(nameof(Permute), y, [x], dy => [Permute(dy, inverse)]);
    }

    /// <summary>Swaps two dimensions. Copies.</summary>
    public static Tensor Transpose(Tensor x, int axis0, int axis1)
    {
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[x.Shape.Normalize(axis0)], perm[x.Shape.Normalize(axis1)]) = (perm[x.Shape.Normalize(axis1)], perm[x.Shape.Normalize(axis0)]);
        return Permute(x, perm);
    }

    /// <summary>The slice [start, start + length) of dimension <paramref name="axis"/>. Copies.</summary>
    public static Tensor Narrow(Tensor x, int axis, int start, int length)
    {
        axis = x.Shape.Normalize(axis);
        if (start < 0 || length < 0 || start + length > x.Shape[axis])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow [{start}, {start + length}) is outside dimension {axis} of size {x.Shape[axis]}.");
        var shape = x.Shape.With(axis, length);
        var strides = x.Shape.ContiguousStrides();
        using var _ = Profiler.Scope(nameof(Narrow), cost: OpCost.Memory(x.DType, shape.Numel, shape.Numel), shape: x.Shape, other: shape);
        var y = Empty(x, shape);
        x.Backend.StridedCopy(x.Storage, start * strides[axis], strides, y.Storage, 0, shape.ContiguousStrides(), shape.AsSpan());
        return Tape.Record(nameof(Narrow), y, [x], dy =>
        {
            // The gradient is dy placed back into a zero tensor of x's shape.
            var dx = Tensor.Zeros(x.Shape, x.DType, x.Device);
            x.Backend.StridedCopy(dy.Storage, 0, shape.ContiguousStrides(), dx.Storage, start * strides[axis], strides, shape.AsSpan());
            return [dx];
        }, OpCost.Memory(x.DType, shape.Numel, shape.Numel));
    }

    /// <summary>Splits dimension <paramref name="axis"/> into pieces of the given sizes.</summary>
    public static Tensor[] Split(Tensor x, int axis, params int[] sizes)
    {
        axis = x.Shape.Normalize(axis);
        if (sizes.Sum() != x.Shape[axis])
            throw new ArgumentException($"Split sizes [{string.Join(", ", sizes)}] do not add up to dimension {axis} of {x.Shape}.", nameof(sizes));
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(x, axis, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>Splits dimension <paramref name="axis"/> into <paramref name="chunks"/> equal pieces.</summary>
    public static Tensor[] Chunk(Tensor x, int axis, int chunks)
    {
        int size = x.Shape[axis];
        if (chunks <= 0 || size % chunks != 0)
            throw new ArgumentException($"Dimension {axis} of {x.Shape} does not split into {chunks} equal chunks.", nameof(chunks));
        return Split(x, axis, Enumerable.Repeat(size / chunks, chunks).ToArray());
    }

    /// <summary>Concatenates tensors along <paramref name="axis"/>; other dimensions must agree. BFloat16 with Float32 gives Float32.</summary>
    public static Tensor Cat(Tensor[] xs, int axis)
    {
        if (xs.Length == 0) throw new ArgumentException("Cat needs at least one tensor.", nameof(xs));
        xs = Promote(xs);
        CheckSameDTypeAndDevice(nameof(Cat), xs); // labels (Int32) are concatenated too
        var first = xs[0];
        axis = first.Shape.Normalize(axis);
        int total = 0;
        foreach (var t in xs)
        {
            if (t.Rank != first.Rank || !Enumerable.Range(0, t.Rank).All(i => i == axis || t.Shape[i] == first.Shape[i]))
                throw new ArgumentException($"Cat along {axis}: shape {t.Shape} does not match {first.Shape}.", nameof(xs));
            total += t.Shape[axis];
        }
        var shape = first.Shape.With(axis, total);
        using var _ = Profiler.Scope(nameof(Cat), cost: OpCost.Memory(first.DType, shape.Numel, shape.Numel), shape: first.Shape, other: shape);
        var y = Empty(first, shape);
        var outStrides = shape.ContiguousStrides();
        long offset = 0;
        foreach (var t in xs)
        {
            first.Backend.StridedCopy(t.Storage, 0, t.Shape.ContiguousStrides(), y.Storage, offset, outStrides, t.Shape.AsSpan());
            offset += t.Shape[axis] * outStrides[axis];
        }
        var sizes = xs.Select(t => t.Shape[axis]).ToArray();
        return Tape.Record(nameof(Cat), y, xs, dy => Split(dy, axis, sizes));
    }
}
