using RawGan.Engine;

namespace RawGan.Model.Training;

/// <summary>The host values a recorded training step bakes in; a change means recording it again.</summary>
internal readonly record struct StepConstants(double GLearningRate, double DLearningRate, double EmaDecay);

/// <summary>
/// Runs the training step eagerly or, on a backend that records device graphs (CUDA), as a graph: the first step runs
/// eagerly (it loads every kernel and lets cuBLAS settle), the second is recorded and launched, every later one is a
/// replay. A recording bakes in the <see cref="StepConstants"/> it was made with, so a new learning rate (a collapse
/// rollback) or the EMA decay switching on at EmaStart records the step again. Everything else that changes from step to
/// step lives in device memory and moves on inside the graph: the Philox position, the optimisers' step counts, the
/// real batch (staged into the same buffers before each launch). A replay runs no host code, so it advances the host
/// copies of those counters by what the recorded step advanced them.
/// </summary>
internal sealed class TrainingStepGraph(IGraphCapture? capture, IReadOnlyList<DeviceCounter> counters) : IDisposable
{
    private IDeviceGraph? _graph;
    private StepConstants _constants;
    private ulong[] _advance = [];
    private bool _warmedUp;

    /// <summary>Whether to record and replay where the backend can (off: every step runs eagerly).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Recordings made so far.</summary>
    public int Captures { get; private set; }

    /// <summary>Runs one step: <paramref name="step"/> itself, or a replay of its recording made with the same constants.</summary>
    public void Run(Action step, StepConstants constants)
    {
        if (capture is null || !Enabled)
        {
            Drop();
            step();
            return;
        }
        if (_graph is not null && _constants == constants)
        {
            _graph.Launch();
            for (int i = 0; i < counters.Count; i++) counters[i].HostAdvance(_advance[i]);
            return;
        }
        if (!_warmedUp)
        {
            step();
            _warmedUp = true;
            return;
        }
        Drop();
        var before = counters.Select(c => c.Value).ToArray();
        IDeviceGraph graph;
        try
        {
            graph = capture.Capture(step);
        }
        catch
        {
            // Nothing recorded ran: put the host copies back where the device still is.
            for (int i = 0; i < counters.Count; i++) counters[i].HostAdvance(unchecked(before[i] - counters[i].Value));
            throw;
        }
        _advance = counters.Select((c, i) => unchecked(c.Value - before[i])).ToArray();
        _graph = graph;
        _constants = constants;
        Captures++;
        graph.Launch(); // this launch is the step that was recorded
    }

    /// <summary>Destroys the recording.</summary>
    public void Dispose() => Drop();

    private void Drop()
    {
        _graph?.Dispose();
        _graph = null;
    }
}
