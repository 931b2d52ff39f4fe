using RawGan.Engine.Profiling;

namespace RawGan.Engine.Optim;

/// <summary>
/// Adam (Kingma and Ba) as torch.optim.Adam without weight decay; BigGAN uses β = (0, 0.999). The moments are
/// tensors beside each parameter, named for checkpoints; the update is one fused kernel per parameter. The step count
/// lives in device memory and the bias corrections are computed there, so a step replayed from a device graph needs
/// no new arguments.
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly (string Name, Tensor Param, Tensor M, Tensor V)[] _state;
    private readonly Tensor _scalars; // Float64 (2): the current step's step size and √bc2, written on the device

    /// <summary>Creates the optimiser over named parameters (moments start at zero).</summary>
    public Adam(IEnumerable<KeyValuePair<string, Tensor>> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        if (!(lr > 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be positive.");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        _state = parameters.Select(p => (p.Key, p.Value,
            Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device), Tensor.Zeros(p.Value.Shape, p.Value.DType, p.Value.Device))).ToArray();
        var device = _state.Length > 0 ? _state[0].Param.Device : Device.Default;
        StepCounter = new DeviceCounter(device);
        _scalars = TensorScope.Persist(Tensor.Zeros([2], DType.Float64, device));
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

    /// <summary>Steps taken so far (the t of the bias corrections); setting it writes device memory (not inside a step).</summary>
    public long Steps
    {
        get => (long)StepCounter.Value;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            StepCounter.Assign((ulong)value);
        }
    }

    /// <summary>The step count in device memory, which <see cref="Step"/>'s kernels read and advance.</summary>
    public DeviceCounter StepCounter { get; }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public void Step()
    {
        using var scope = Profiler.Scope(nameof(Adam), ProfilePass.Update);
        _scalars.Backend.AdamStepScalars(StepCounter.Storage, _scalars.Storage, LearningRate, Beta1, Beta2);
        StepCounter.HostAdvance(1);
        foreach (var (_, p, m, v) in _state)
        {
            if (p.Grad is not { } g) continue;
            scope.Add(OpCost.Memory(p.DType, 4 * p.Numel, 3 * p.Numel)); // p, g, m, v read; p, m, v written
            p.Backend.AdamUpdate(p.Storage, g.Storage, m.Storage, v.Storage, p.Numel, Beta1, Beta2, Epsilon, _scalars.Storage);
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

    /// <summary>Frees the moments and the step state.</summary>
    public void Dispose()
    {
        foreach (var (_, _, m, v) in _state)
        {
            m.Dispose();
            v.Dispose();
        }
        StepCounter.Dispose();
        _scalars.Dispose();
    }
}
