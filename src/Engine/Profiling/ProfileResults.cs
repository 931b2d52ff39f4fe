namespace RawGan.Engine.Profiling;

/// <summary>
/// One row of a profile: an op (or other timed work) in one pass, per measured step on average: calls, exclusive
/// milliseconds, share of the step, and the FLOPs and bytes it declared.
/// </summary>
public sealed record ProfileRow(string Name, ProfilePass? Pass, string? Shapes, double Calls, double Milliseconds, double PercentOfStep, double Flops, double Bytes)
{
    /// <summary>The row of time no scope covered.</summary>
    public const string OtherName = "other / untracked";

    /// <summary>Achieved TFLOP/s (0 when the row declares no FLOPs).</summary>
    public double Tflops => Milliseconds > 0 ? Flops / (Milliseconds * 1e9) : 0;

    /// <summary>Achieved GB/s of compulsory traffic (0 when the row declares no bytes).</summary>
    public double GigabytesPerSecond => Milliseconds > 0 ? Bytes / (Milliseconds * 1e6) : 0;
}

/// <summary>
/// The .NET garbage collector during a step: milliseconds it paused the program (inside the rows of whatever ops were
/// running) and full (generation 2) collections.
/// </summary>
public readonly record struct GcActivity(double PauseMilliseconds, int Gen2Collections);

/// <summary>One timed scope of a measured step, for the trace: times in milliseconds since profiling began.</summary>
public readonly record struct ProfileEvent(string Name, ProfilePass Pass, int Step, double Start, double Duration, string? Shapes, OpCost Cost);

/// <summary>The measured steps of a <see cref="Profiler"/>: step times, per-op rows and every scope for the trace.</summary>
/// <param name="clock">What the times measure: "wall clock", "process CPU time" or "device clock".</param>
public sealed class ProfileResults(string clock)
{
    private readonly Dictionary<(string, ProfilePass), Totals> _ops = [];
    private readonly Dictionary<(string, ProfilePass, string), Totals> _shapes = [];
    private readonly List<double> _steps = [];
    private readonly List<double> _stepStarts = [];
    private readonly List<GcActivity> _gc = [];
    private readonly List<ProfileEvent> _events = [];
    private double _other;

    /// <summary>What the times measure: "wall clock", "process CPU time" or "device clock" (CUDA events).</summary>
    public string Clock { get; } = clock;

    /// <summary>Each measured step's time in milliseconds, on the profiler's clock.</summary>
    public IReadOnlyList<double> StepMilliseconds => _steps;

    /// <summary>When each measured step began, in milliseconds since profiling began (the trace's time axis).</summary>
    public IReadOnlyList<double> StepStarts => _stepStarts;

    /// <summary>The garbage collector's pauses and full collections in each measured step.</summary>
    public IReadOnlyList<GcActivity> GarbageCollection => _gc;

    /// <summary>Mean step time in milliseconds.</summary>
    public double MeanStepMilliseconds => _steps.Count == 0 ? 0 : _steps.Average();

    /// <summary>Every scope of every measured step, in the order they began.</summary>
    public IReadOnlyList<ProfileEvent> Events => _events;

    /// <summary>Per (op, pass), slowest first, then the "other / untracked" row; per step on average.</summary>
    public IReadOnlyList<ProfileRow> Rows() =>
        [.. _ops.Select(kv => Row(kv.Key.Item1, kv.Key.Item2, null, kv.Value)).OrderByDescending(r => r.Milliseconds), OtherRow()];

    /// <summary>Per (op, pass, operand shapes), slowest first; per step on average.</summary>
    public IReadOnlyList<ProfileRow> RowsByShape() =>
        [.. _shapes.Select(kv => Row(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value)).OrderByDescending(r => r.Milliseconds)];

    /// <summary>The time no scope covered, per step on average.</summary>
    public ProfileRow OtherRow() => Row(ProfileRow.OtherName, null, null, new Totals { Milliseconds = _other });

    internal void Add(ReadOnlySpan<ScopeRecord> scopes, double[] times, int startMark, int endMark, double wallStart, GcActivity gc)
    {
        int step = _steps.Count;
        double stepMs = times[endMark] - times[startMark];
        // Exclusive time: each scope's own span less the spans of the scopes directly inside it.
        var exclusive = new double[scopes.Length];
        double covered = 0;
        for (int i = 0; i < scopes.Length; i++)
        {
            double span = times[scopes[i].EndMark] - times[scopes[i].StartMark];
            exclusive[i] += span;
            if (scopes[i].Parent >= 0) exclusive[scopes[i].Parent] -= span;
            else covered += span;
        }
        for (int i = 0; i < scopes.Length; i++)
        {
            ref readonly var s = ref scopes[i];
            string shapes = Describe(s.Shape, s.Other);
            Accumulate(_ops, (s.Name, s.Pass), s, exclusive[i]);
            Accumulate(_shapes, (s.Name, s.Pass, shapes), s, exclusive[i]);
            _events.Add(new ProfileEvent(s.Name, s.Pass, step, wallStart + times[s.StartMark] - times[startMark],
                                         times[s.EndMark] - times[s.StartMark], shapes.Length == 0 ? null : shapes, s.Cost));
        }
        _other += stepMs - covered;
        _steps.Add(stepMs);
        _stepStarts.Add(wallStart);
        _gc.Add(gc);
    }

    private static void Accumulate<TKey>(Dictionary<TKey, Totals> rows, TKey key, in ScopeRecord s, double exclusive) where TKey : notnull
    {
        if (!rows.TryGetValue(key, out var t)) rows[key] = t = new Totals();
        if (s.Call) t.Calls++;
        t.Milliseconds += exclusive;
        t.Flops += s.Cost.Flops;
        t.Bytes += s.Cost.Bytes;
    }

    private ProfileRow Row(string name, ProfilePass? pass, string? shapes, Totals t)
    {
        int n = Math.Max(1, _steps.Count);
        double ms = t.Milliseconds / n, step = MeanStepMilliseconds;
        return new ProfileRow(name, pass, shapes, (double)t.Calls / n, ms, step > 0 ? 100 * ms / step : 0, (double)t.Flops / n, (double)t.Bytes / n);
    }

    private static string Describe(Shape a, Shape b) =>
        a.Rank == 0 ? "" : b.Rank == 0 ? a.ToString() : $"{a} {b}";

    private sealed class Totals
    {
        public long Calls;
        public double Milliseconds;
        public long Flops;
        public long Bytes;
    }
}
