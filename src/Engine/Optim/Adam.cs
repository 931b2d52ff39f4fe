using RawGan.Engine.Profiling;

namespace RawGan.Engine.Optim;

/// <summary>
/// Adam (Kingma and Ba) as torch.optim.Adam without weight decay; BigGAN uses β = (0, 0.999). The moments are
/// tensors beside each parameter, named for checkpoints; the update is one fused kernel per parameter.
/// </summary>
public sealed class Adam
{
    private readonly (string Name, Tensor Param, Tensor M, Tensor V)[] _state;

    /// <summary>Creates the optimiser over named parameters (moments start at zero).</summary>
    public Adam(IEnumerable<KeyValuePair<string, Tensor>> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (!(lr > 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be positive.");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        _state = parameters.Select(p => (p.Key, p.Value,
            Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device), Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device))).ToArray();
        LearningRate = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = eps;
    }

    /// <summary>Step size (may change between steps, e.g. on rollback).</summary>
    public double LearningRate { get; set; }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public double Epsilon { get; }

    /// <summary>Steps taken so far (the t of the bias corrections).</summary>
    public long Steps { get; set; }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public void Step()
    {
        Steps++;
        double bc1 = 1 - Math.Pow(Beta1, Steps), bc2 = 1 - Math.Pow(Beta2, Steps);
        using var scope = Profiler.Scope(nameof(Adam), ProfilePass.Update);
        foreach (var (_, p, m, v) in _state)
        {
            if (p.Grad is not { } g) continue;
            scope.Add(OpCost.Memory(p.DType, 4 * p.Numel, 3 * p.Numel)); // p, g, m, v read; p, m, v written
            p.Backend.AdamUpdate(p.Storage, g.Storage, m.Storage, v.Storage, p.Numel, LearningRate, Beta1, Beta2, Epsilon, bc1, bc2);
        }
    }

    /// <summary>Drops the gradients of every parameter (the next backward starts from zero).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _, _) in _state)
        {
            p.Grad?.Dispose();
            p.Grad = null;
        }
    }

    /// <summary>The moments, named "&lt;param&gt;.exp_avg" and "&lt;param&gt;.exp_avg_sq" as PyTorch names them, for checkpoints.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var (name, _, m, v) in _state)
        {
            yield return new($"{name}.exp_avg", m);
            yield return new($"{name}.exp_avg_sq", v);
        }
    }
}
