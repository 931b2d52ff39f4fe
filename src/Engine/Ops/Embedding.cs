using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>Rows of <paramref name="weight"/> (rows, dim) picked by Int32 <paramref name="indices"/>: shape indices.Shape + (dim).</summary>
    public static Tensor Embedding(Tensor weight, Tensor indices)
    {
        CheckRank(nameof(Embedding), "weight", weight, 2);
        CheckSame(nameof(Embedding), weight);
        CheckNotBFloat16(nameof(Embedding), weight);
        if (indices.DType != DType.Int32) throw new ArgumentException($"Embedding indices must be Int32, got {indices.DType}.", nameof(indices));
        int rows = weight.Shape[0], dim = weight.Shape[1], count = (int)indices.Numel;
        using var _ = Profiler.Scope(nameof(Embedding), cost: OpCost.Memory(weight.DType, (long)count * dim + count, (long)count * dim), shape: weight.Shape, other: indices.Shape);
        var y = Empty(weight, new Shape([.. indices.Shape.AsSpan(), dim]));
        weight.Backend.EmbeddingForward(weight.Storage, indices.Storage, y.Storage, count, dim, rows);
        // The gradient scatter-adds each output row back to the row it was read from.
        return Tape.Record(nameof(Embedding), y, [weight], dy =>
        {
            var dw = Tensor.Zeros(weight.Shape, weight.DType, weight.Device); // the kernel adds into it
            weight.Backend.EmbeddingBackward(dy.Storage, indices.Storage, dw.Storage, count, dim, rows);
            return [dw];
        }, OpCost.Memory(weight.DType, (long)count * dim + count, (long)rows * dim));
    }
}
