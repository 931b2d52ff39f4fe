using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>Softmax over the last axis; BFloat16 input gives Float32 (computed in Float32, as autocast does).</summary>
    public static Tensor Softmax(Tensor x)
    {
        x = ToDType(x, StatisticsDType(x.DType));
        CheckSame(nameof(Softmax), x);
        if (x.Rank == 0) throw new ArgumentException("Softmax needs at least one dimension.", nameof(x));
        int cols = x.Shape[^1];
        int rows = (int)(x.Numel / Math.Max(cols, 1));
        using var _ = Profiler.Scope(nameof(Softmax), cost: OpCost.Memory(x.DType, x.Numel, x.Numel), shape: x.Shape);
        var y = Empty(x, x.Shape);
        x.Backend.SoftmaxForward(x.Storage, y.Storage, rows, cols);
        // dx = y ⊙ (dy − Σ_j dy_j y_j), row by row.
        return Tape.Record(nameof(Softmax), y, [x], dy =>
        {
            var dx = Empty(x, x.Shape);
            x.Backend.SoftmaxBackward(y.Storage, dy.Storage, dx.Storage, rows, cols);
            return [dx];
        }, OpCost.Memory(x.DType, 2 * x.Numel, x.Numel));
    }
}
