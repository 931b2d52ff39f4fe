using System.CommandLine;
using System.Globalization;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan train`'s flags that set the run's configuration, each bound to its setting once, and what --resume does
/// with them. A fixed flag defines the run (model, data, batch, seeds, optimiser constants): on resume it must be
/// left out or repeat the run's value. A schedule flag (steps, learning rates, intervals, kept checkpoints, σ
/// tracing, collapse handling) replaces the run's value on resume, and the change is recorded in the configuration
/// (<see cref="RunConfig.Changes"/>) with the step the run resumed at.
/// </summary>
internal sealed class TrainFlags
{
    private readonly List<Flag> _fixed = [];
    private readonly List<Flag> _schedule = [];

    /// <summary>Binds a flag that cannot change on resume to its setting.</summary>
    public TrainFlags Fixed<T>(Option<T> option, Func<RunConfig, T> get, Func<RunConfig, T, RunConfig> set)
    {
        _fixed.Add(new Flag<T>(option, get, set));
        return this;
    }

    /// <summary>Binds a flag that may change on resume to its setting.</summary>
    public TrainFlags Schedule<T>(Option<T> option, Func<RunConfig, T> get, Func<RunConfig, T, RunConfig> set)
    {
        _schedule.Add(new Flag<T>(option, get, set));
        return this;
    }

    /// <summary>A new run's configuration: <paramref name="basis"/> with every flag's value (given or default; an omitted optional flag keeps the basis's).</summary>
    public RunConfig NewRun(ParseResult r, RunConfig basis) => _fixed.Concat(_schedule).Aggregate(basis, (c, f) => f.Apply(r, c));

    /// <summary>
    /// A resumed run's configuration: rejects, in one message, every fixed flag given with a value other than the
    /// run's (and <paramref name="otherOffenders"/>, found by the caller); applies the schedule flags given, records
    /// each change at <paramref name="step"/> and says it.
    /// </summary>
    public RunConfig Resume(ParseResult r, RunConfig run, long step, IEnumerable<string> otherOffenders, Action<string> say)
    {
        var offenders = _fixed.Where(f => f.IsGiven(r))
                              .Select(f => (f.Option.Name, Values: f.Values(r, run)))
                              .Where(x => !x.Values.Given.Equals(x.Values.Current, StringComparison.OrdinalIgnoreCase))
                              .Select(x => $"{x.Name} {x.Values.Given} (the run's: {x.Values.Current})")
                              .Concat(otherOffenders).ToList();
        if (offenders.Count > 0)
            throw new ArgumentException($"{string.Join(", ", offenders)}: fixed for a run, cannot change when resuming; " +
                                        "leave them out, or start a new run (without --resume) to change them.");
        var config = run;
        var changes = new List<ConfigChange>(run.Changes);
        foreach (var flag in _schedule.Where(f => f.IsGiven(r)))
        {
            var (given, current) = flag.Values(r, config);
            if (given == current) continue;
            config = flag.Apply(r, config);
            changes.Add(new ConfigChange(step, flag.Option.Name, current, given));
            say($"From step {step + 1}: {flag.Option.Name} {current} -> {given}.");
        }
        return config with { Changes = changes };
    }

    /// <summary>Whether the user typed <paramref name="option"/> (rather than leaving it at its default).</summary>
    public static bool IsGiven(ParseResult r, Option option) => r.GetResult(option) is { Implicit: false };

    private abstract class Flag(Option option)
    {
        public Option Option => option;

        public bool IsGiven(ParseResult r) => TrainFlags.IsGiven(r, option);

        public abstract RunConfig Apply(ParseResult r, RunConfig c);

        /// <summary>The flag's value and the configuration's, as text: compared, recorded and shown.</summary>
        public abstract (string Given, string Current) Values(ParseResult r, RunConfig c);
    }

    private sealed class Flag<T>(Option<T> option, Func<RunConfig, T> get, Func<RunConfig, T, RunConfig> set) : Flag(option)
    {
        public override RunConfig Apply(ParseResult r, RunConfig c) => r.GetValue(option) is { } value ? set(c, value) : c;

        public override (string Given, string Current) Values(ParseResult r, RunConfig c) => (Text(r.GetValue(option)), Text(get(c)));

        private static string Text(T? value) => value switch
        {
            null => "",
            Enum e => e.ToString().ToLowerInvariant(),
            _ => string.Format(CultureInfo.InvariantCulture, "{0}", value),
        };
    }
}
