using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>Sum over the given axes (all axes when none are given); a BFloat16 tensor's sum is Float32.</summary>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDim = false) => Reduce(nameof(Sum), x, axes, keepDim, mean: false);

    /// <summary>Mean over the given axes (all axes when none are given); a BFloat16 tensor's mean is Float32.</summary>
    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDim = false) => Reduce(nameof(Mean), x, axes, keepDim, mean: true);

    private static Tensor Reduce(string name, Tensor x, int[]? axes, bool keepDim, bool mean)
    {
        CheckSame(name, x);
        var reduced = new bool[x.Rank];
        if (axes is null || axes.Length == 0) Array.Fill(reduced, true);
        else foreach (var a in axes) reduced[x.Shape.Normalize(a)] = true;

        var kept = new int[x.Rank];
        long count = 1;
        for (int i = 0; i < x.Rank; i++)
        {
            kept[i] = reduced[i] ? 1 : x.Shape[i];
            if (reduced[i]) count *= x.Shape[i];
        }
        double scale = mean ? 1.0 / count : 1.0;
        using var _ = Profiler.Scope(name, cost: OpCost.Memory(x.DType, x.Numel, x.Numel / count), shape: x.Shape);
        var y = Empty(x, new Shape(kept), StatisticsDType(x.DType));
        x.Backend.ReduceSum(x.Storage, x.Shape.AsSpan(), y.Storage, kept, scale);
        var outShape = keepDim ? new Shape(kept) : new Shape(kept.Where((_, i) => !reduced[i]).ToArray());
        var result = ViewAs(y, outShape);
        // d sum = dy broadcast back; d mean = dy / count broadcast back.
        return Tape.Record(name, result, [x], dy =>
        {
            var g = Expand(Reshape(dy, new Shape(kept)), x.Shape);
            return [ToDType(mean ? MulScalar(g, scale) : g, x.DType)];
        });
    }
}
