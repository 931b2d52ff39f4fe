using RawGan.Engine.Profiling;

namespace RawGan.Engine.Optim;

/// <summary>
/// Exponential moving average of parameters (BigGAN's G_ema): ema ← decay·ema + (1 − decay)·param, one fused
/// axpby per tensor. Buffers (batch-norm running statistics) are averaged the same way, as the reference does.
/// </summary>
public sealed class Ema
{
    private readonly (Tensor Source, Tensor Average)[] _pairs;

    /// <summary>Pairs each source tensor with its average (same shapes, dtypes and devices).</summary>
    public Ema(IReadOnlyList<Tensor> sources, IReadOnlyList<Tensor> averages)
    {
        if (sources.Count != averages.Count) throw new ArgumentException($"EMA needs one average per source ({sources.Count} vs {averages.Count}).");
        _pairs = sources.Zip(averages).Select(p =>
        {
            if (p.First.Shape != p.Second.Shape || p.First.DType != p.Second.DType)
                throw new ArgumentException($"EMA pair mismatch: {p.First} and {p.Second}.");
            return (p.First, p.Second);
        }).ToArray();
    }

    /// <summary>ema ← decay·ema + (1 − decay)·source for every pair; at decay 0 a copy of the source.</summary>
    public void Update(double decay)
    {
        if (decay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay must be in [0, 1].");
        using var scope = Profiler.Scope(nameof(Ema), ProfilePass.Update);
        // 0·ema is not 0 where the average holds NaN or ±inf: the copy is what decay 0 means.
        if (decay == 0)
        {
            CopyFromSources();
            return;
        }
        foreach (var (s, a) in _pairs)
        {
            scope.Add(OpCost.Memory(s.DType, 2 * s.Numel, s.Numel));
            s.Backend.Axpby(1 - decay, s.Storage, decay, a.Storage, s.Numel);
        }
    }

    /// <summary>Copies every source into its average (the start of averaging).</summary>
    public void CopyFromSources()
    {
        foreach (var (s, a) in _pairs)
        {
            var strides = s.Shape.ContiguousStrides();
            s.Backend.StridedCopy(s.Storage, 0, strides, a.Storage, 0, strides, s.Shape.AsSpan());
        }
    }
}
