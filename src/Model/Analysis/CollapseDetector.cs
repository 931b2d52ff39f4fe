namespace RawGan.Model.Analysis;

/// <summary>One signal's state at a check: whether it fired and the numbers behind it (values and thresholds).</summary>
public sealed record CollapseSignal(string Name, bool Fired, IReadOnlyDictionary<string, double> Evidence, string? Layer = null);

/// <summary>A detected collapse: the step and every signal (fired or not) with its evidence.</summary>
public sealed record CollapseEvent(long Step, IReadOnlyList<CollapseSignal> Signals)
{
    /// <summary>"sigma_growth (G blocks.2.conv1.weight ×3.1), losses" — for a console line.</summary>
    public string Describe() => string.Join(", ", Signals.Where(s => s.Fired).Select(s => s.Layer is null ? s.Name : $"{s.Name} ({s.Layer})"));
}

/// <summary>
/// Watches the live signals of a training run and reports a collapse when at least
/// <see cref="CollapseOptions.MinSignals"/> of three fire at once (after the warm-up, at most once per loss window):
/// <list type="bullet">
/// <item><c>sigma_growth</c>: the largest ratio σ0(t) / σ0(t − window) over G's layers (from the sv trace);</item>
/// <item><c>losses</c>: D's mean hinge loss on real data at or below a floor while G's mean loss jumped;</item>
/// <item><c>sample_diversity</c>: the mean pairwise distance of the fixed-latent G_ema samples within each class's row of the sheet, against the run's largest.</item>
/// </list>
/// A signal without enough history yet does not fire. Pure logic on numbers: unit-testable on synthetic series.
/// </summary>
public sealed class CollapseDetector
{
    private readonly CollapseOptions _options;
    private readonly Dictionary<string, List<(long Step, double Sigma0)>> _sigma = new(StringComparer.Ordinal);
    private readonly List<(long Step, double DReal, double G)> _losses = [];
    private double _bestDiversity, _lastDiversity = double.NaN;
    private long? _lastEvent;

    /// <summary>A detector with the given thresholds.</summary>
    public CollapseDetector(CollapseOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>One training step's losses.</summary>
    public void ObserveLosses(long step, double dReal, double gLoss)
    {
        _losses.Add((step, dReal, gLoss));
        int keep = 2 * _options.LossWindow;
        if (_losses.Count > keep) _losses.RemoveRange(0, _losses.Count - keep);
    }

    /// <summary>σ0 of G's layers at a traced step (rows of other networks are ignored).</summary>
    public void ObserveSpectra(IEnumerable<WeightSpectrum> rows)
    {
        foreach (var r in rows)
        {
            if (r.Network != "G" || !double.IsFinite(r.Sigma0)) continue;
            if (!_sigma.TryGetValue(r.Layer, out var list)) _sigma[r.Layer] = list = [];
            list.Add((r.Step, r.Sigma0));
            // Keep what the window needs: the newest row at or before (latest − window), and everything after it.
            int firstNeeded = list.FindLastIndex(x => x.Step <= r.Step - _options.SigmaWindow);
            if (firstNeeded > 0) list.RemoveRange(0, firstNeeded);
        }
    }

    /// <summary>The mean pairwise distance of the fixed-latent samples (<see cref="SampleDiversity"/>).</summary>
    public void ObserveDiversity(double meanPairwiseDistance)
    {
        _lastDiversity = meanPairwiseDistance;
        _bestDiversity = Math.Max(_bestDiversity, meanPairwiseDistance);
    }

    /// <summary>The signals now, without deciding.</summary>
    public IReadOnlyList<CollapseSignal> Signals() => [SigmaSignal(), LossSignal(), DiversitySignal()];

    /// <summary>An event when enough signals fire at <paramref name="step"/>, else null.</summary>
    public CollapseEvent? Check(long step)
    {
        if (step < _options.WarmupSteps || step - _lastEvent < _options.LossWindow) return null; // one event per window
        var signals = Signals();
        if (signals.Count(s => s.Fired) < _options.MinSignals) return null;
        _lastEvent = step;
        return new CollapseEvent(step, signals);
    }

    private CollapseSignal SigmaSignal()
    {
        double worst = double.NaN;
        string? layer = null;
        foreach (var (name, list) in _sigma)
        {
            var latest = list[^1];
            int i = list.FindLastIndex(x => x.Step <= latest.Step - _options.SigmaWindow);
            if (i < 0 || !(list[i].Sigma0 > 0)) continue;
            double ratio = latest.Sigma0 / list[i].Sigma0;
            if (double.IsNaN(worst) || ratio > worst) (worst, layer) = (ratio, name);
        }
        return new CollapseSignal("sigma_growth", worst >= _options.SigmaGrowth,
            new Dictionary<string, double> { ["ratio"] = worst, ["threshold"] = _options.SigmaGrowth, ["window_steps"] = _options.SigmaWindow }, layer);
    }

    private CollapseSignal LossSignal()
    {
        int w = _options.LossWindow;
        double dReal = double.NaN, jump = double.NaN;
        if (_losses.Count >= 2 * w)
        {
            var previous = _losses.Take(w).ToList();
            var recent = _losses.Skip(w).ToList();
            dReal = recent.Average(x => x.DReal);
            jump = recent.Average(x => x.G) - previous.Average(x => x.G);
        }
        return new CollapseSignal("losses", dReal <= _options.DRealFloor && jump >= _options.GLossJump,
            new Dictionary<string, double>
            {
                ["d_real_mean"] = dReal, ["d_real_floor"] = _options.DRealFloor, ["g_jump"] = jump, ["g_jump_threshold"] = _options.GLossJump, ["window_steps"] = w,
            });
    }

    private CollapseSignal DiversitySignal()
    {
        double fraction = _bestDiversity > 0 ? _lastDiversity / _bestDiversity : double.NaN;
        return new CollapseSignal("sample_diversity", fraction <= _options.DiversityDrop,
            new Dictionary<string, double> { ["distance"] = _lastDiversity, ["best_distance"] = _bestDiversity, ["fraction"] = fraction, ["threshold"] = _options.DiversityDrop });
    }
}
