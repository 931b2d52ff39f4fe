using System.Diagnostics;

namespace RawGan.Engine.Profiling;

/// <summary>
/// Times every op of a step, and the work between ops (optimiser, EMA, regularisation, uploads, the autograd walk),
/// as nested scopes on one clock: a stopwatch on the CPU, events on the stream of a GPU backend, resolved after the
/// step so that timing never synchronises inside it. Each scope's exclusive time (its own, less its children's)
/// goes to one row per (name, pass); what no scope covers is "other". While no profiler is active on the thread,
/// a scope costs one null check.
/// </summary>
/// <example>
/// <code>
/// using var profiler = new Profiler(device);
/// for (int i = 0; i &lt; 5; i++) using (profiler.Step()) trainer.TrainStep(batches);
/// ProfileTable.Write(Console.Out, profiler.Results);
/// </code>
/// </example>
public sealed class Profiler : IDisposable
{
    [ThreadStatic] private static Profiler? _active;

    private readonly IProfilerClock _clock;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private ScopeRecord[] _scopes = new ScopeRecord[1024];
    private int _count;
    private int _open = -1;
    private int _stepStartMark;
    private double _stepStartWall;
    private TimeSpan _stepStartGcPause;
    private int _stepStartGen2;

    /// <summary>
    /// A profiler for work on <paramref name="device"/>: its backend's own clock when it has one, else a stopwatch;
    /// with <paramref name="cpuTime"/> (CPU backend, Linux) the process's CPU time instead of the wall clock.
    /// </summary>
    public Profiler(Device device, bool cpuTime = false)
        : this(ClockFor(device, cpuTime), device.Name)
    {
    }

    /// <summary>A profiler on a given clock (tests use one whose marks advance by known amounts).</summary>
    internal Profiler(IProfilerClock clock, string deviceName)
    {
        _clock = clock;
        DeviceName = deviceName;
        Results = new ProfileResults(clock switch
        {
            StopwatchClock => "wall clock",
            ProcessCpuClock => "process CPU time",
            _ => "device clock",
        });
    }

    /// <summary>The device the timed work runs on.</summary>
    public string DeviceName { get; }

    /// <summary>What the measured steps recorded so far add up to.</summary>
    public ProfileResults Results { get; }

    /// <summary>True while a step is being measured on this thread (e.g. so that a step runs eagerly rather than as a captured graph).</summary>
    public static bool IsActive => _active is not null;

    /// <summary>Starts measuring one step on this thread; disposing the returned scope ends it and adds it to <see cref="Results"/>.</summary>
    public StepScope Step()
    {
        if (_active is not null) throw new InvalidOperationException("A profiled step is already running on this thread; end it before starting another.");
        _count = 0;
        _open = -1;
        _clock.Clear();
        _stepStartWall = _wall.Elapsed.TotalMilliseconds;
        _stepStartGcPause = GC.GetTotalPauseDuration();
        _stepStartGen2 = GC.CollectionCount(2);
        _stepStartMark = _clock.Mark();
        _active = this;
        return new StepScope(this);
    }

    /// <summary>
    /// Opens a timed scope named <paramref name="name"/> when a step is being measured on this thread (else does
    /// nothing). <paramref name="pass"/> defaults to the enclosing scope's (forward at the top); the cost is the
    /// work the scope itself does; the shapes describe its operands.
    /// </summary>
    public static ProfileScope Scope(string name, ProfilePass? pass = null, OpCost cost = default, Shape shape = default, Shape other = default)
    {
        var p = _active;
        return p is null ? default : p.Begin(name, pass, cost, shape, other);
    }

    /// <inheritdoc/>
    public void Dispose() => _clock.Dispose();

    private static IProfilerClock ClockFor(Device device, bool cpuTime)
    {
        if (cpuTime)
        {
            return device.Backend is IProfilingBackend
                ? throw new ArgumentException($"CPU time measures the host; {device.Name} runs on its own clock. Profile it without the CPU-time clock.")
                : new ProcessCpuClock();
        }
        return device.Backend is IProfilingBackend timed ? timed.CreateProfilerClock() : new StopwatchClock();
    }

    private ProfileScope Begin(string name, ProfilePass? pass, OpCost cost, Shape shape, Shape other)
    {
        var parentPass = _open >= 0 ? _scopes[_open].Pass : ProfilePass.Forward;
        var own = pass ?? parentPass;
        // A scope nested in one of the same name and pass (MatMul's backward runs MatMul) is the same call.
        bool call = _open < 0 || _scopes[_open].Pass != own || _scopes[_open].Name != name;
        if (_count == _scopes.Length) Array.Resize(ref _scopes, 2 * _scopes.Length);
        int index = _count++;
        _scopes[index] = new ScopeRecord(name, own, cost, shape, other, _open, call, _clock.Mark());
        _open = index;
        return new ProfileScope(this, index);
    }

    internal void End(int index)
    {
        if (index != _open) throw new InvalidOperationException($"Profiler scope \"{_scopes[index].Name}\" closed while \"{_scopes[_open].Name}\" inside it was still open.");
        _scopes[index].EndMark = _clock.Mark();
        _open = _scopes[index].Parent;
    }

    internal void AddCost(int index, OpCost cost) => _scopes[index].Cost += cost;

    private void EndStep()
    {
        if (_open >= 0) throw new InvalidOperationException($"The step ended while profiler scope \"{_scopes[_open].Name}\" was open.");
        int endMark = _clock.Mark();
        var gc = new GcActivity((GC.GetTotalPauseDuration() - _stepStartGcPause).TotalMilliseconds, GC.CollectionCount(2) - _stepStartGen2);
        _active = null;
        var times = new double[endMark + 1];
        _clock.Read(times);
        Results.Add(new ReadOnlySpan<ScopeRecord>(_scopes, 0, _count), times, _stepStartMark, endMark, _stepStartWall, gc);
    }

    /// <summary>One measured step; dispose to end it.</summary>
    public readonly struct StepScope : IDisposable
    {
        private readonly Profiler _profiler;

        internal StepScope(Profiler profiler) => _profiler = profiler;

        /// <summary>Ends the step and adds its times to the profiler's results.</summary>
        public void Dispose() => _profiler.EndStep();
    }
}

/// <summary>An open profiler scope (or nothing, when no step is being measured); dispose to close it.</summary>
public readonly struct ProfileScope : IDisposable
{
    private readonly Profiler? _profiler;
    private readonly int _index;

    internal ProfileScope(Profiler profiler, int index)
    {
        _profiler = profiler;
        _index = index;
    }

    /// <summary>Adds work found out while the scope runs (e.g. the parameters an optimiser actually updated).</summary>
    public void Add(OpCost cost) => _profiler?.AddCost(_index, cost);

    /// <summary>Closes the scope.</summary>
    public void Dispose() => _profiler?.End(_index);
}

/// <summary>One scope of a measured step: what it was, where it nests and its two clock marks.</summary>
internal struct ScopeRecord(string name, ProfilePass pass, OpCost cost, Shape shape, Shape other, int parent, bool call, int startMark)
{
    public readonly string Name = name;
    public readonly ProfilePass Pass = pass;
    public OpCost Cost = cost;
    public readonly Shape Shape = shape;
    public readonly Shape Other = other;
    public readonly int Parent = parent;
    public readonly bool Call = call;
    public readonly int StartMark = startMark;
    public int EndMark;
}
