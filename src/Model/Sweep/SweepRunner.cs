using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Metrics;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>What a running sweep reports; `rawgan sweep` shows it as progress over the whole grid.</summary>
public interface ISweepObserver
{
    /// <summary>The sweep starts: <paramref name="runs"/> cell×seed runs of <paramref name="totalSteps"/> steps in all, of which <paramref name="finished"/> (<paramref name="finishedSteps"/> steps) were finished before.</summary>
    void Planned(int runs, int finished, long totalSteps, long finishedSteps);

    /// <summary>A run starts or resumes; returns the observer of its training.</summary>
    ITrainingObserver RunStarted(SweepCell cell, ulong seed, string folder);

    /// <summary>The run's generator is being scored at a truncation.</summary>
    void Scoring(SweepCell cell, ulong seed, double? truncation);

    /// <summary>A run is finished and its result appended to results.jsonl.</summary>
    void RunFinished(SweepResult result);
}

/// <summary>
/// Runs a <see cref="SweepSpec"/> in a folder: every cell with every seed is trained by the same code as `rawgan
/// train` (<see cref="CollapseHandling"/> around <see cref="TrainingSession"/>) in its own run folder under runs/,
/// then its G_ema is scored at the sweep's truncations (appended to the run's eval.jsonl too) and the result appended
/// to results.jsonl. Seeds go outermost, so an interrupted sweep already has every cell at the first seeds.
/// Resumable: finished runs (a line in results.jsonl) are kept, an interrupted run resumes from its newest checkpoint.
/// </summary>
public sealed class SweepRunner
{
    /// <summary>The specification's file name in the sweep folder.</summary>
    public const string SpecFileName = "sweep.json";

    // Seconds of training of the earlier sessions of an interrupted run, kept in its folder.
    private const string SecondsFileName = "sweep-train-seconds.txt";

    private SweepRunner(SweepSpec spec, string folder)
    {
        Spec = spec;
        Folder = folder;
        Cells = spec.Cells();
    }

    /// <summary>The sweep run.</summary>
    public SweepSpec Spec { get; }

    /// <summary>The sweep's folder: sweep.json, results.jsonl, runs/.</summary>
    public string Folder { get; }

    /// <summary>The cells.</summary>
    public IReadOnlyList<SweepCell> Cells { get; }

    /// <summary>The results file.</summary>
    public string ResultsPath => Path.Combine(Folder, SweepResults.FileName);

    /// <summary>
    /// Opens the sweep in <paramref name="folder"/>: with a <paramref name="spec"/>, starts it there (or continues it,
    /// when the folder already holds the same sweep; a different one is an error); without, continues the folder's own.
    /// </summary>
    public static SweepRunner Open(string folder, SweepSpec? spec)
    {
        folder = Path.GetFullPath(folder);
        string specPath = Path.Combine(folder, SpecFileName);
        if (File.Exists(specPath))
        {
            var existing = SweepSpec.FromJson(File.ReadAllText(specPath), specPath);
            if (spec is not null && spec.ToJson() != existing.ToJson())
                throw new ArgumentException($"{folder} holds a different sweep ({specPath}); continue it without a sweep file or preset, or pick a new folder.");
            return new SweepRunner(existing.Validate(), folder);
        }
        if (spec is null) throw new FileNotFoundException($"{folder} holds no sweep ({SpecFileName}); start one with a sweep file, a preset or --axis.");
        spec.Validate();
        Directory.CreateDirectory(folder);
        WriteText(specPath, spec.ToJson());
        return new SweepRunner(spec, folder);
    }

    /// <summary>
    /// Trains and scores every run not finished yet; returns every result so far, and whether the whole sweep is done
    /// (false when <paramref name="stop"/> fired: the run in progress keeps a checkpoint and resumes next time).
    /// </summary>
    public (IReadOnlyList<SweepResult> Results, bool Complete) Run(Device device, FeatureSetup features, ISweepObserver observer, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(observer);
        var results = SweepResults.Read(ResultsPath).ToList();
        var done = results.Select(r => (r.Cell, r.Seed)).ToHashSet();
        var runs = Spec.Seeds.SelectMany(seed => Cells.Select(cell => (Cell: cell, Seed: seed))).ToList();
        long StepsOf((SweepCell Cell, ulong Seed) run) => run.Cell.Config.Training.Steps;
        bool Finished((SweepCell Cell, ulong Seed) run) => done.Contains((run.Cell.Index, run.Seed));
        observer.Planned(runs.Count, runs.Count(Finished), runs.Sum(StepsOf), runs.Where(Finished).Sum(StepsOf));

        foreach (var (cell, seed) in runs)
        {
            if (Finished((cell, seed))) continue;
            if (stop.IsCancellationRequested) return (results, false);
            var result = TrainAndScore(cell, seed, device, features, observer, stop);
            if (result is null) return (results, false);
            SweepResults.Append(ResultsPath, result);
            results.Add(result);
            observer.RunFinished(result);
        }
        return (results, true);
    }

    // One run: train (resuming an interrupted one), then score the checkpoint the training ended with; null when stopped.
    private SweepResult? TrainAndScore(SweepCell cell, ulong seed, Device device, FeatureSetup features, ISweepObserver observer, CancellationToken stop)
    {
        var run = RunFolder.Open(Path.Combine(Folder, "runs", cell.RunName(seed)));
        var config = cell.ForSeed(seed);
        string secondsPath = Path.Combine(run.Path, SecondsFileName);
        double earlierSeconds = File.Exists(secondsPath) ? double.Parse(File.ReadAllText(secondsPath), CultureInfo.InvariantCulture) : 0;

        var training = CollapseHandling.Run(run, config, device, run.LatestCheckpoint(), observer.RunStarted(cell, seed, run.Path), stop);
        double seconds = earlierSeconds + training.Seconds;
        WriteText(secondsPath, seconds.ToString("R", CultureInfo.InvariantCulture));
        if (training.Outcome == TrainingOutcome.Stopped) return null;

        var scores = new List<SweepScore>();
        long step = training.Step;
        if (training.Checkpoint is { } checkpoint)
        {
            var (g, checkpointStep) = LoadEma(checkpoint, config, device);
            step = checkpointStep;
            var records = new List<EvalRecord>();
            foreach (var truncation in Spec.Thresholds())
            {
                observer.Scoring(cell, seed, truncation);
                try
                {
                    records.Add(features.Evaluate("sweep", step, Path.GetRelativePath(run.Path, checkpoint), g.Generate, g.DimZ, config.Model.NumClasses,
                                                  Spec.EvalSamples, truncation, Spec.EvalSeed, device, stop: stop));
                }
                catch (OperationCanceledException)
                {
                    return null; // training is kept; the scoring is redone next time
                }
            }
            EvalLog.Append(Path.Combine(run.Path, EvalLog.FileName), records);
            scores.AddRange(records.Select(r => new SweepScore { Truncation = r.Truncation, Is = r.IsMean, Fid = r.Fid }));
        }
        return new SweepResult
        {
            Cell = cell.Index, Label = cell.Label, Seed = seed, Outcome = training.Outcome, Step = step, TrainSeconds = seconds,
            ImagesPerSecond = training.ImagesPerSecond, Scores = scores,
            Checkpoint = training.Checkpoint is null ? null : Path.GetRelativePath(Folder, training.Checkpoint),
        };
    }

    private static void WriteText(string path, string text) => AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    // G_ema of a checkpoint in eval mode (running statistics), and the checkpoint's step.
    private static (BigGanGenerator G, long Step) LoadEma(string checkpoint, RunConfig config, Device device)
    {
        using var file = SafeTensors.Load(checkpoint);
        var g = new BigGanGenerator(config.Model, config.ModelSeed, device, initialize: false);
        Checkpoint.LoadGenerator(file, g, preferEma: true);
        g.Eval();
        return (g, Checkpoint.StepOf(file));
    }
}
