namespace RawGan.Model.Analysis;

/// <summary>What `rawgan train` does when the collapse detector fires.</summary>
public enum CollapseAction
{
    /// <summary>Log the event (events.jsonl and the console) and keep training.</summary>
    Warn,
    /// <summary>End the run; the last checkpoint before the event is marked as the result (result.txt).</summary>
    Stop,
    /// <summary>Restart from the last checkpoint before the event with both learning rates halved (at most <see cref="CollapseOptions.MaxRollbacks"/> times, then stop).</summary>
    Rollback,
}

/// <summary>
/// Thresholds of the collapse detector (<see cref="CollapseDetector"/>). The defaults are set so that the default
/// MNIST run raises no event while a run forced to collapse (a learning rate of 0.05 on a tiny model) does; they
/// follow the paper's description of collapse: σ0 of some G layers explodes, D's loss on real data goes to zero
/// while G's loss jumps, and the samples become near-identical.
/// </summary>
public sealed record CollapseOptions
{
    /// <summary>What to do on an event.</summary>
    public CollapseAction Action { get; init; } = CollapseAction.Warn;

    /// <summary>Rollbacks allowed in one `rawgan train` invocation before the run stops instead.</summary>
    public int MaxRollbacks { get; init; } = 2;

    /// <summary>How many of the three signals must fire at once for an event.</summary>
    public int MinSignals { get; init; } = 2;

    /// <summary>No event before this generator step (early training moves every statistic a lot).</summary>
    public long WarmupSteps { get; init; } = 100;

    /// <summary>Steps over which σ0 growth is measured.</summary>
    public int SigmaWindow { get; init; } = 100;

    /// <summary>The σ0 signal fires when some G layer's σ0 grew by at least this factor over <see cref="SigmaWindow"/> steps.</summary>
    public double SigmaGrowth { get; init; } = 2.0;

    /// <summary>Steps averaged for the loss signal (the mean of the last window against the window before it).</summary>
    public int LossWindow { get; init; } = 20;

    /// <summary>The loss signal needs D's mean hinge loss on real data at or below this...</summary>
    public double DRealFloor { get; init; } = 0.05;

    /// <summary>...while G's mean loss rose by at least this much from the previous window.</summary>
    public double GLossJump { get; init; } = 0.5;

    /// <summary>The sample signal fires when the mean pairwise distance of the fixed-latent G_ema samples falls below this fraction of the run's largest.</summary>
    public double DiversityDrop { get; init; } = 0.3;

    /// <summary>Checks the ranges.</summary>
    public void Validate()
    {
        if (MaxRollbacks < 0) throw new ArgumentOutOfRangeException(nameof(MaxRollbacks), MaxRollbacks, "Rollbacks must be ≥ 0.");
        if (MinSignals is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(MinSignals), MinSignals, "Between 1 and 3 of the three signals can be required.");
        if (SigmaWindow < 1 || LossWindow < 1) throw new ArgumentOutOfRangeException(nameof(SigmaWindow), "Windows must be at least one step.");
        if (!(SigmaGrowth > 1)) throw new ArgumentOutOfRangeException(nameof(SigmaGrowth), SigmaGrowth, "The σ0 growth factor must exceed 1.");
        if (!(DiversityDrop is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(DiversityDrop), DiversityDrop, "The diversity fraction must be in (0, 1).");
    }
}
