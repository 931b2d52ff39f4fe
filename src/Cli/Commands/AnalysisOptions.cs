using System.CommandLine;
using RawGan.Model.Analysis;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan train`'s flags for singular-value tracing and collapse handling. Each is optional: given, it overrides
/// the configuration (also on --resume); omitted, the run keeps its own value (for a new run, the default shown).
/// </summary>
internal sealed class AnalysisOptions
{
    private static readonly CollapseOptions Defaults = new();

    private readonly Option<int?> _svEvery = new("--sv-every") { Description = $"Append σ0, σ1, σ2 of every weight of G and D to sv.csv every N steps (0: off; default {new RunConfig().SvEvery})." };
    private readonly Option<CollapseAction?> _onCollapse = new("--on-collapse") { Description = $"On a detected collapse: warn (log it, keep training), stop (end; the last checkpoint before it is the result, named in result.txt) or rollback (resume from that checkpoint with both learning rates halved). Default {Defaults.Action.ToString().ToLowerInvariant()}." };
    private readonly Option<int?> _maxRollbacks = new("--max-rollbacks") { Description = $"Rollbacks before the run stops instead (default {Defaults.MaxRollbacks})." };
    private readonly Option<int?> _minSignals = new("--collapse-signals") { Description = $"Signals (σ0 growth, losses, sample diversity) that must fire together for an event (1-3, default {Defaults.MinSignals})." };
    private readonly Option<long?> _warmup = new("--collapse-warmup") { Description = $"No collapse event before this step (default {Defaults.WarmupSteps})." };
    private readonly Option<double?> _sigmaGrowth = new("--collapse-sigma-growth") { Description = $"σ0 signal: some G layer's σ0 grew by this factor over --collapse-sigma-window steps (default {Defaults.SigmaGrowth}; needs --sv-every)." };
    private readonly Option<int?> _sigmaWindow = new("--collapse-sigma-window") { Description = $"Steps over which σ0 growth is measured (default {Defaults.SigmaWindow})." };
    private readonly Option<double?> _dRealFloor = new("--collapse-d-real") { Description = $"Loss signal: D's mean hinge loss on real data at or below this... (default {Defaults.DRealFloor})." };
    private readonly Option<double?> _gJump = new("--collapse-g-jump") { Description = $"...while G's mean loss rose by at least this from the previous window (default {Defaults.GLossJump})." };
    private readonly Option<int?> _lossWindow = new("--collapse-loss-window") { Description = $"Steps per loss window (default {Defaults.LossWindow})." };
    private readonly Option<double?> _diversity = new("--collapse-diversity") { Description = $"Sample signal: mean pairwise distance of the sample sheet's G_ema images below this fraction of the run's largest (default {Defaults.DiversityDrop})." };

    /// <summary>Every flag, to add to the command.</summary>
    public IEnumerable<Option> All => [_svEvery, _onCollapse, _maxRollbacks, _minSignals, _warmup, _sigmaGrowth, _sigmaWindow, _dRealFloor, _gJump, _lossWindow, _diversity];

    /// <summary>The configuration with the given flags applied.</summary>
    public RunConfig Apply(ParseResult r, RunConfig config)
    {
        var c = config.Collapse;
        c = c with
        {
            Action = r.GetValue(_onCollapse) ?? c.Action,
            MaxRollbacks = r.GetValue(_maxRollbacks) ?? c.MaxRollbacks,
            MinSignals = r.GetValue(_minSignals) ?? c.MinSignals,
            WarmupSteps = r.GetValue(_warmup) ?? c.WarmupSteps,
            SigmaGrowth = r.GetValue(_sigmaGrowth) ?? c.SigmaGrowth,
            SigmaWindow = r.GetValue(_sigmaWindow) ?? c.SigmaWindow,
            DRealFloor = r.GetValue(_dRealFloor) ?? c.DRealFloor,
            GLossJump = r.GetValue(_gJump) ?? c.GLossJump,
            LossWindow = r.GetValue(_lossWindow) ?? c.LossWindow,
            DiversityDrop = r.GetValue(_diversity) ?? c.DiversityDrop,
        };
        c.Validate();
        int svEvery = r.GetValue(_svEvery) ?? config.SvEvery;
        if (svEvery < 0) throw new ArgumentOutOfRangeException("--sv-every", svEvery, "--sv-every must be ≥ 0 (0 turns tracing off).");
        return config with { SvEvery = svEvery, Collapse = c };
    }
}
