using System.CommandLine;
using RawGan.Model.Analysis;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan train`'s flags for singular-value tracing and collapse handling. Each is optional: given, it overrides
/// the configuration (also on --resume, where the change is recorded); omitted, the run keeps its own value (for a
/// new run, the default shown).
/// </summary>
internal sealed class AnalysisOptions
{
    private static readonly CollapseOptions Defaults = new();

    private readonly Option<int?> _svEvery = new Option<int?>("--sv-every") { Description = $"Append σ0, σ1, σ2 of every weight of G and D to sv.csv every N steps (0: off; default {new RunConfig().SvEvery})." }.AtLeast(0);
    private readonly Option<CollapseAction?> _onCollapse = new("--on-collapse") { Description = $"On a detected collapse: warn (log it, keep training), stop (end; the last checkpoint before it is the result, named in result.txt) or rollback (resume from that checkpoint with both learning rates halved). Default {Defaults.Action.ToString().ToLowerInvariant()}." };
    private readonly Option<int?> _maxRollbacks = new Option<int?>("--max-rollbacks") { Description = $"Rollbacks before the run stops instead (default {Defaults.MaxRollbacks})." }.AtLeast(0);
    private readonly Option<int?> _minSignals = new Option<int?>("--collapse-signals") { Description = $"Signals (σ0 growth, losses, sample diversity) that must fire together for an event (1-3, default {Defaults.MinSignals})." }.Between(1, 3);
    private readonly Option<long?> _warmup = new Option<long?>("--collapse-warmup") { Description = $"No collapse event before this step (default {Defaults.WarmupSteps})." }.AtLeast(0L);
    private readonly Option<double?> _sigmaGrowth = new Option<double?>("--collapse-sigma-growth") { Description = $"σ0 signal: some G layer's σ0 grew by this factor over --collapse-sigma-window steps (default {Defaults.SigmaGrowth}; needs --sv-every)." }.Above(1.0);
    private readonly Option<int?> _sigmaWindow = new Option<int?>("--collapse-sigma-window") { Description = $"Steps over which σ0 growth is measured (default {Defaults.SigmaWindow})." }.AtLeast(1);
    private readonly Option<double?> _dRealFloor = new("--collapse-d-real") { Description = $"Loss signal: D's mean hinge loss on real data at or below this... (default {Defaults.DRealFloor})." };
    private readonly Option<double?> _gJump = new("--collapse-g-jump") { Description = $"...while G's mean loss rose by at least this from the previous window (default {Defaults.GLossJump})." };
    private readonly Option<int?> _lossWindow = new Option<int?>("--collapse-loss-window") { Description = $"Steps per loss window (default {Defaults.LossWindow})." }.AtLeast(1);
    private readonly Option<double?> _diversity = new Option<double?>("--collapse-diversity") { Description = $"Sample signal: mean pairwise distance of the sample sheet's G_ema images within each class's row below this fraction of the run's largest (default {Defaults.DiversityDrop})." }.Inside(0.0, 1.0);

    /// <summary>Every flag, to add to the command.</summary>
    public IEnumerable<Option> All => [_svEvery, _onCollapse, _maxRollbacks, _minSignals, _warmup, _sigmaGrowth, _sigmaWindow, _dRealFloor, _gJump, _lossWindow, _diversity];

    /// <summary>Binds every flag to its setting as a schedule flag (it may change on resume).</summary>
    public void Bind(TrainFlags flags)
    {
        static RunConfig Collapse(RunConfig c, Func<CollapseOptions, CollapseOptions> change) => c with { Collapse = change(c.Collapse) };
        flags.Schedule(_svEvery, c => c.SvEvery, (c, v) => c with { SvEvery = (int)v! })
             .Schedule(_onCollapse, c => c.Collapse.Action, (c, v) => Collapse(c, o => o with { Action = (CollapseAction)v! }))
             .Schedule(_maxRollbacks, c => c.Collapse.MaxRollbacks, (c, v) => Collapse(c, o => o with { MaxRollbacks = (int)v! }))
             .Schedule(_minSignals, c => c.Collapse.MinSignals, (c, v) => Collapse(c, o => o with { MinSignals = (int)v! }))
             .Schedule(_warmup, c => c.Collapse.WarmupSteps, (c, v) => Collapse(c, o => o with { WarmupSteps = (long)v! }))
             .Schedule(_sigmaGrowth, c => c.Collapse.SigmaGrowth, (c, v) => Collapse(c, o => o with { SigmaGrowth = (double)v! }))
             .Schedule(_sigmaWindow, c => c.Collapse.SigmaWindow, (c, v) => Collapse(c, o => o with { SigmaWindow = (int)v! }))
             .Schedule(_dRealFloor, c => c.Collapse.DRealFloor, (c, v) => Collapse(c, o => o with { DRealFloor = (double)v! }))
             .Schedule(_gJump, c => c.Collapse.GLossJump, (c, v) => Collapse(c, o => o with { GLossJump = (double)v! }))
             .Schedule(_lossWindow, c => c.Collapse.LossWindow, (c, v) => Collapse(c, o => o with { LossWindow = (int)v! }))
             .Schedule(_diversity, c => c.Collapse.DiversityDrop, (c, v) => Collapse(c, o => o with { DiversityDrop = (double)v! }));
    }
}
