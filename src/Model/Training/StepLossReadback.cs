using RawGan.Engine;

namespace RawGan.Model.Training;

/// <summary>
/// The step's losses on their way to the host without stopping it: every micro-step copies its hinge terms into a slot
/// of a small device buffer (inside the step, so a recorded graph does it too); after the step the buffer is copied
/// asynchronously into page-locked host memory and an event marks the copy's end. Resolving waits for that event
/// (usually long passed by then) and sums the slots exactly as the host did when it read each loss at once.
/// </summary>
internal sealed class StepLossReadback : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly Tensor _slots;
    private readonly Stack<HostBuffer> _free = new();
    private readonly HashSet<PendingStepLosses> _pending = [];

    public StepLossReadback(TrainingOptions options, DType dtype, Device device)
    {
        _options = options;
        SlotCount = 2 * options.DStepsPerGStep * options.DAccumulations + options.GAccumulations;
        _slots = TensorScope.Persist(Tensor.Zeros([SlotCount], dtype, device));
    }

    /// <summary>Slots per step: D real and D fake of every D micro-step, then every G micro-step's loss.</summary>
    public int SlotCount { get; }

    /// <summary>The device buffer the step's losses are recorded in (a data-parallel trainer averages it over the ranks before the read).</summary>
    public Tensor Slots => _slots;

    /// <summary>Copies a scalar loss into <paramref name="slot"/> on the device.</summary>
    public void Record(int slot, Tensor loss) => loss.Backend.StridedCopy(loss.Storage, 0, [1], _slots.Storage, slot, [1], [1]);

    /// <summary>Queues the copy of the slots to the host after the step just queued.</summary>
    public PendingStepLosses Enqueue(long step)
    {
        var backend = _slots.Backend;
        var host = _free.Count > 0 ? _free.Pop() : backend.AllocateHost((long)SlotCount * _slots.DType.SizeInBytes());
        backend.CopyToHostAsync(_slots.Storage, 0, host, 0, SlotCount);
        var pending = new PendingStepLosses(step, this, host, backend.RecordEvent());
        _pending.Add(pending);
        return pending;
    }

    /// <summary>The step's losses from its arrived slots (the host buffer goes back to the pool).</summary>
    internal StepLosses Read(PendingStepLosses pending, HostBuffer host)
    {
        var v = new double[SlotCount];
        if (_slots.DType == DType.Float64) host.AsSpan<double>(0, SlotCount).CopyTo(v);
        else
        {
            var f = host.AsSpan<float>(0, SlotCount);
            for (int i = 0; i < v.Length; i++) v[i] = f[i];
        }
        _pending.Remove(pending);
        _free.Push(host);

        // D reports its last update's terms; every update is checked, as each used to be before its optimiser step.
        int k = 0;
        double dReal = 0, dFake = 0;
        for (int s = 0; s < _options.DStepsPerGStep; s++)
        {
            dReal = dFake = 0;
            for (int a = 0; a < _options.DAccumulations; a++)
            {
                dReal += v[k++] / _options.DAccumulations;
                dFake += v[k++] / _options.DAccumulations;
            }
            if (!double.IsFinite(dReal) || !double.IsFinite(dFake)) throw new TrainingDivergedException(pending.Step, new StepLosses(dReal, dFake, 0));
        }
        double g = 0;
        for (int a = 0; a < _options.GAccumulations; a++) g += v[k++] / _options.GAccumulations;
        var losses = new StepLosses(dReal, dFake, g);
        if (!losses.AreFinite) throw new TrainingDivergedException(pending.Step, losses);
        return losses;
    }

    /// <summary>Waits for copies still in flight, then frees the host memory and the slots.</summary>
    public void Dispose()
    {
        foreach (var pending in _pending.ToList()) pending.Abandon();
        while (_free.Count > 0) _free.Pop().Dispose();
        _slots.Dispose();
    }

    internal void Release(PendingStepLosses pending, HostBuffer host)
    {
        _pending.Remove(pending);
        host.Dispose();
    }
}

/// <summary>
/// The losses of a queued training step (<see cref="GanTrainer{TG,TD}.EnqueueStep"/>), readable once the device has
/// run it: <see cref="Resolve"/> waits for that, so resolve step k after queuing step k + 1 and the host never stalls
/// the device. A NaN or infinite loss surfaces here, as <see cref="TrainingDivergedException"/>.
/// </summary>
public sealed class PendingStepLosses
{
    private readonly StepLossReadback _owner;
    private HostBuffer? _host;
    private DeviceEvent? _arrived;
    private StepLosses? _losses;
    private TrainingDivergedException? _diverged;

    internal PendingStepLosses(long step, StepLossReadback owner, HostBuffer host, DeviceEvent arrived)
    {
        Step = step;
        _owner = owner;
        _host = host;
        _arrived = arrived;
    }

    /// <summary>The generator step these losses belong to.</summary>
    public long Step { get; }

    /// <summary>True once the losses are on the host (never waits).</summary>
    public bool IsCompleted => _arrived is null || _arrived.IsComplete;

    /// <summary>Waits for the step's losses and returns them; throws <see cref="TrainingDivergedException"/> when one is NaN or infinite.</summary>
    public StepLosses Resolve()
    {
        if (_arrived is { } arrived)
        {
            arrived.Wait();
            arrived.Dispose();
            _arrived = null;
            try
            {
                _losses = _owner.Read(this, _host!);
            }
            catch (TrainingDivergedException e)
            {
                _diverged = e;
            }
            _host = null;
        }
        if (_diverged is not null) throw _diverged;
        return _losses ?? throw new ObjectDisposedException(nameof(PendingStepLosses), "The trainer was disposed before these losses were read.");
    }

    // The trainer goes away: wait for the copy (it writes into memory about to be freed), then free it.
    internal void Abandon()
    {
        _arrived?.Wait();
        _arrived?.Dispose();
        _arrived = null;
        if (_host is { } host) _owner.Release(this, host);
        _host = null;
    }
}
