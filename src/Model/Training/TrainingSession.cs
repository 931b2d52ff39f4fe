using System.Diagnostics;
using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Data;
using RawGan.Model.Images;

namespace RawGan.Model.Training;

/// <summary>What a running session reports; the command line shows it as a progress bar or plain lines.</summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) at <paramref name="fromStep"/> and runs to <paramref name="toStep"/>.</summary>
    void Started(long fromStep, long toStep);

    /// <summary>A logged step.</summary>
    void Logged(LogEntry entry);

    /// <summary>A one-line event (checkpoint written, sample sheet written, stop requested, ...).</summary>
    void Message(string text);
}

/// <summary>How a session ended.</summary>
public enum TrainingOutcome
{
    /// <summary>All steps ran.</summary>
    Completed,
    /// <summary>Stopped on request (Ctrl-C) after writing a checkpoint.</summary>
    Stopped,
    /// <summary>A loss became NaN or infinite; the last good checkpoint is the result.</summary>
    Diverged,
    /// <summary>The collapse detector fired and <see cref="CollapseOptions.Action"/> is stop or rollback; the last checkpoint before the event is the result.</summary>
    Collapsed,
}

/// <summary>The end of a session: outcome, last step, newest checkpoint, wall time and throughput.</summary>
public sealed record TrainingResult(TrainingOutcome Outcome, long Step, string? Checkpoint, double Seconds, double ImagesPerSecond, string? Error = null,
                                    CollapseEvent? Collapse = null);

/// <summary>
/// One `rawgan train` run: builds BigGAN's G, D and G_ema, the data loader and the trainer from a
/// <see cref="RunConfig"/>, resumes from a checkpoint when asked, and trains while logging, writing sample sheets
/// (G_ema at fixed latents, one row per class) and checkpoints (atomic, last K kept).
/// </summary>
public static class TrainingSession
{
    /// <summary>The checkpoint metadata entry with the run's training seconds up to it.</summary>
    private const string TrainSecondsKey = "train_seconds";

    /// <summary>Runs (or resumes) training in <paramref name="run"/> until the configured step, a stop request or divergence.</summary>
    /// <param name="evaluator">Optional IS/FID evaluation every N steps (--eval-every), which keeps best.safetensors.</param>
    /// <param name="parallel">
    /// This process's rank of data-parallel training, or null for a single process. Every rank runs this session;
    /// rank 0 alone writes the run folder (config, logs, checkpoints, samples, σ trace, events, evaluations), and the
    /// ranks agree on when to stop (a stop request on any rank, a collapse seen by rank 0).
    /// </param>
    public static TrainingResult Run(RunFolder run, RunConfig config, Device device, string? resumeFrom, ITrainingObserver observer, CancellationToken stop,
                                     Metrics.TrainingEvaluator? evaluator = null, DataParallel? parallel = null)
    {
        bool root = parallel?.IsRoot ?? true;
        config.Model.Validate();
        config.Training.Validate();
        var dataset = OpenDataset(config, observer.Message);
        CheckDataMatchesModel(dataset, config.Model);

        // A resumed run's weights come from its checkpoint (which must hold every one), so they are not initialised first.
        using var trainer = CreateTrainer(config, device, initialize: resumeFrom is null, parallel);
        trainer.CudaGraphs = config.CudaGraphs;
        var (g, d, gEma) = (trainer.G, trainer.D, trainer.GEma!);

        var start = LoaderState.Start;
        double secondsBefore = 0; // the run's training time before this session (its log's seconds keep counting)
        if (resumeFrom is not null)
        {
            var meta = Checkpoint.Load(resumeFrom, trainer);
            start = new LoaderState(Checkpoint.Number<long>(meta, resumeFrom, "loader_epoch"), Checkpoint.Number<int>(meta, resumeFrom, "loader_batch"));
            // Checkpoints written before the run's time was kept start counting again from zero.
            if (meta.ContainsKey(TrainSecondsKey)) secondsBefore = Checkpoint.Number<double>(meta, resumeFrom, TrainSecondsKey);
            observer.Message($"Resumed from {resumeFrom} at step {trainer.Step}.");
        }
        // Everything the run needs is in place: only now does the run folder appear (rank 0 writes it; the others read).
        if (root)
        {
            run.Create();
            observer.Message($"Run folder: {run.Path}");
            foreach (var stale in run.RemoveStaleTemporaries()) observer.Message($"Removed {stale}, left by a checkpoint write that was killed.");
            if (run.SetAsideCheckpointsAfter(trainer.Step) is { } abandoned)
                observer.Message($"Moved {string.Join(", ", abandoned.Files)} of the abandoned branch after step {trainer.Step} to " +
                                 $"{Path.GetRelativePath(run.Path, abandoned.Folder)}.");
            File.WriteAllText(run.ConfigPath, config.ToJson());
        }

        using var loader = new DataLoader(dataset, config.Training.BatchSize, config.DataSeed, device, start: start, slice: parallel?.Slice(config.Training.BatchSize));
        using var batches = new StepBatches(loader, config.Training.DStepsPerGStep * config.Training.DAccumulations, config.Model.DType);
        using var log = root ? new TrainingLog(run, trainer.Step) : null;
        var (sampleZ, sampleLabels) = SampleLatents(config, device);
        var monitor = root ? new TrainingMonitor(run, config, g, d, trainer.Step) : null; // sv.csv and the collapse detector

        long imagesPerStep = (long)config.Training.BatchSize * config.Training.DStepsPerGStep * config.Training.DAccumulations;
        long firstStep = trainer.Step;
        string? lastCheckpoint = resumeFrom;
        long lastSaved = trainer.Step;
        var clock = Stopwatch.StartNew();
        observer.Started(firstStep, config.Training.Steps);

        double Rate(long step) => (step - firstStep) * imagesPerStep / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        void Save(LoaderState position)
        {
            var meta = new Dictionary<string, string>
            {
                ["loader_epoch"] = position.Epoch.ToString(CultureInfo.InvariantCulture),
                ["loader_batch"] = position.Batch.ToString(CultureInfo.InvariantCulture),
                [TrainSecondsKey] = (secondsBefore + clock.Elapsed.TotalSeconds).ToString("R", CultureInfo.InvariantCulture),
                ["run_config"] = config.ToJson(),
                ["precision"] = config.Training.Precision.ToString().ToLowerInvariant(),
            };
            string path = run.CheckpointPath(trainer.Step);
            lastCheckpoint = path;
            lastSaved = trainer.Step;
            if (!root) return;
            Checkpoint.Save(path, trainer, meta);
            run.PruneCheckpoints(config.KeepCheckpoints);
            observer.Message($"Checkpoint {Path.GetRelativePath(run.Path, path)}");
        }
        void Sample()
        {
            if (monitor is null) return; // rank 0's job
            string path = run.SamplePath(trainer.Step);
            WriteSampleSheet(path, gEma, sampleZ, sampleLabels, sampleZ.Shape[0] / config.SamplesPerClass, config.SamplesPerClass, monitor.ObserveSamples,
                             config.Training.Precision, config.Training.BatchSize);
            string diversity = double.IsNaN(monitor.LastDiversity) ? "" : $" (diversity {monitor.LastDiversity:F3})";
            observer.Message($"Samples {Path.GetRelativePath(run.Path, path)}{diversity}");
        }

        // The model's state at a step is read (σ trace, samples, checkpoint, evaluation) only when no later step is queued.
        bool NeedsModel(long step) =>
            (config.SvEvery > 0 && step % config.SvEvery == 0) || (config.SampleEvery > 0 && step % config.SampleEvery == 0) ||
            (config.CheckpointEvery > 0 && step % config.CheckpointEvery == 0) || (evaluator is not null && step % evaluator.Every == 0);

        // Everything that follows a step, once its losses are on the host; a result ends the run.
        TrainingResult? Report(PendingStepLosses pending)
        {
            StepLosses losses;
            try
            {
                losses = pending.Resolve();
            }
            catch (TrainingDivergedException e)
            {
                observer.Message(e.Message);
                return new TrainingResult(TrainingOutcome.Diverged, e.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(e.Step - 1), e.Message);
            }
            long step = pending.Step;
            if (step % config.LogEvery == 0 || step == config.Training.Steps)
            {
                var entry = new LogEntry(step, losses.DReal, losses.DFake, losses.G, secondsBefore + clock.Elapsed.TotalSeconds, Rate(step));
                log?.Append(entry);
                observer.Logged(entry);
            }
            monitor?.AfterStep(step, losses);
            if (config.SampleEvery > 0 && step % config.SampleEvery == 0) Sample();
            if (AgreedCollapse(monitor?.Check(step), step, parallel) is { } collapse)
            {
                // Logged before the checkpoint of this step, so lastCheckpoint is the last one before the event.
                if (root) EventLog.Append(run.Path, "collapse", collapse, config.Collapse.Action, lastCheckpoint, config.Training.GLearningRate, config.Training.DLearningRate);
                observer.Message($"Collapse detected at step {step}: {collapse.Describe()} (evidence in {EventLog.FileName}).");
                if (config.Collapse.Action != CollapseAction.Warn)
                    return new TrainingResult(TrainingOutcome.Collapsed, step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(step), collapse.Describe(), collapse);
            }
            if (config.CheckpointEvery > 0 && step % config.CheckpointEvery == 0) Save(loader.State);
            if (evaluator is not null && step % evaluator.Every == 0)
            {
                if (lastSaved != step) Save(loader.State); // best.safetensors is a copy of this step's checkpoint
                if (root) observer.Message(evaluator.Describe(evaluator.Evaluate(run, step, gEma, lastCheckpoint!, device, config.Training.Precision)));
            }
            return null;
        }

        // Step k's losses are read once step k + 1 is queued, so the host never waits for the device (logs run a step
        // behind); a step whose model is needed is read before the next is queued. A NaN found then stops the run
        // before any later checkpoint is written.
        PendingStepLosses? pending = null;
        while (true)
        {
            // Every rank stops at the same step: a stop request on any rank is one on all.
            bool stopping = parallel?.Any(stop.IsCancellationRequested) ?? stop.IsCancellationRequested;
            bool more = trainer.Step < config.Training.Steps && !stopping;
            if (more && (pending is null || !NeedsModel(pending.Step)))
            {
                // The step's real batches are read before it changes anything: a data error leaves whole steps to save.
                var stepStart = loader.State;
                try
                {
                    batches.Fetch();
                }
                catch (Exception e) when (e is DataFormatException or IOException or InvalidDataException)
                {
                    if (pending is not null && Report(pending) is { } endedBefore) return endedBefore;
                    if (trainer.Step > lastSaved) Save(stepStart);
                    string kept = lastCheckpoint is null ? "No step was trained" : $"The run is kept up to step {lastSaved} ({Path.GetFileName(lastCheckpoint)})";
                    var (source, problem) = e is DataFormatException data ? (data.SourcePath, data.Problem) : (config.DataPath ?? config.Data, e.Message);
                    throw new DataFormatException(source, $"{problem} {kept}; fix the data, then continue with rawgan train --resume {run.Path}.", e);
                }
                var queued = trainer.EnqueueStep(batches);
                if (pending is not null && Report(pending) is { } ended) return ended;
                pending = queued;
                continue;
            }
            if (pending is null) break;
            var last = pending;
            pending = null;
            if (Report(last) is { } end) return end;
        }
        if (trainer.Step < config.Training.Steps)
        {
            if (trainer.Step > lastSaved) Save(loader.State);
            return new TrainingResult(TrainingOutcome.Stopped, trainer.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(trainer.Step));
        }
        if (trainer.Step > lastSaved || lastCheckpoint is null) Save(loader.State);
        if (config.SampleEvery <= 0 || trainer.Step % config.SampleEvery != 0) Sample();
        if (monitor is not null) observer.Message(monitor.Summary());
        if (parallel is not null) observer.Message(parallel.Summary(trainer.Step - firstStep));
        return new TrainingResult(TrainingOutcome.Completed, trainer.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(trainer.Step));
    }

    /// <summary>G, D and G_ema of the configuration, freshly initialised, and their trainer.</summary>
    /// <param name="initialize">False when every weight is loaded next (a resumed run): the networks skip their init.</param>
    /// <param name="parallel">This process's rank of data-parallel training, or null.</param>
    public static GanTrainer<BigGanGenerator, BigGanDiscriminator> CreateTrainer(RunConfig config, Device device, bool initialize = true,
                                                                                  DataParallel? parallel = null)
    {
        var g = new BigGanGenerator(config.Model, config.ModelSeed, device, initialize);
        var d = new BigGanDiscriminator(config.Model, config.ModelSeed + 1, device, initialize);
        // Not initialised: the trainer copies G's whole state into it at once (the reference's ema.update(0)).
        var gEma = new BigGanGenerator(config.Model, config.ModelSeed, device, initialize: false);
        return new GanTrainer<BigGanGenerator, BigGanDiscriminator>(g, d, gEma, config.Training, device,
            name => name.StartsWith("shared.", StringComparison.Ordinal), parallel); // the reference exempts the shared embedding
    }

    /// <summary>The data set a configuration names.</summary>
    public static IImageDataset OpenDataset(RunConfig config, Action<string>? log = null) => config.Data.ToLowerInvariant() switch
    {
        "mnist" => MnistDataset.LoadOrFetch(MnistSplit.Train, config.DataPath, config.Model.Resolution, log),
        FashionMnistDataset.Name => FashionMnistDataset.LoadOrFetch(MnistSplit.Train, config.DataPath, config.Model.Resolution, log),
        "cifar10" => Cifar10Dataset.Load(config.DataPath ?? throw new ArgumentException("CIFAR-10 needs --data-path: the folder with data_batch_1.bin ... data_batch_5.bin.")),
        "folder" => new ImageFolderDataset(config.DataPath ?? throw new ArgumentException("An image folder data set needs --data-path: a folder with one subfolder per class."),
                                           config.Model.Resolution, config.Model.ImageChannels, skipBadImages: config.SkipBadImages, log: log),
        "synthetic" => new SyntheticShapes(4096, config.Model.NumClasses, config.Model.Resolution, config.Model.ImageChannels, config.DataSeed),
        _ => throw new ArgumentException($"Unknown data set \"{config.Data}\"; use mnist, fashion-mnist, cifar10, folder or synthetic."),
    };

    internal static void CheckDataMatchesModel(IImageDataset data, BigGanConfig model)
    {
        if (data.Channels != model.ImageChannels || data.Height != model.Resolution || data.Width != model.Resolution)
            throw new ArgumentException($"The data set's images are {data.Channels}x{data.Height}x{data.Width}, the model makes " +
                                        $"{model.ImageChannels}x{model.Resolution}x{model.Resolution}; pick a matching --preset, --resolution or --channels.");
        if (data.NumClasses != model.NumClasses)
            throw new ArgumentException($"The data set has {data.NumClasses} classes, the model {model.NumClasses}; set --classes {data.NumClasses}.");
    }

    /// <summary>The fixed latents of the sample sheets: one row per class of <see cref="RunConfig.SheetClasses"/>, <see cref="RunConfig.SamplesPerClass"/> columns.</summary>
    public static (Tensor Z, Tensor Labels) SampleLatents(RunConfig config, Device device)
    {
        int[] classes = config.SheetClasses();
        int s = config.SamplesPerClass;
        var z = Tensor.RandomNormal([classes.Length * s, config.Model.EffectiveDimZ], config.SampleSeed, dtype: config.Model.DType, device: device);
        var labels = Enumerable.Range(0, classes.Length * s).Select(i => classes[i / s]).ToArray();
        return (z, Tensor.FromArray(labels, device));
    }

    /// <summary>
    /// Renders G (in eval mode, no gradients, under <paramref name="precision"/>) at the given latents as a rows × columns
    /// PNG sheet, <paramref name="chunk"/> images at a time (eval mode makes the chunks independent, so only one chunk's
    /// activations are held); <paramref name="inspect"/> sees the images (Float32) before they are freed (the collapse
    /// detector measures their diversity).
    /// </summary>
    public static void WriteSampleSheet(string path, BigGanGenerator g, Tensor z, Tensor labels, int rows, int columns, Action<Tensor>? inspect = null,
                                        Precision precision = Precision.Fp32, int chunk = int.MaxValue)
    {
        bool training = g.Training;
        g.Eval();
        try
        {
            using var scope = new TensorScope();
            using var noGrad = GradMode.Disable();
            var images = ConditionalGeneratorExtensions.InChunks((zs, ls) => g.Generate(precision, zs, ls), z, labels, chunk);
            Png.SaveSheet(path, images, rows, columns);
            inspect?.Invoke(images);
        }
        finally
        {
            g.Train(training);
        }
    }

    // Rank 0 alone runs the collapse detector; the other ranks of a data-parallel group stop on its word.
    private static CollapseEvent? AgreedCollapse(CollapseEvent? seen, long step, DataParallel? parallel)
    {
        if (parallel is null) return seen;
        bool collapsed = parallel.FromRoot(seen is not null);
        return parallel.IsRoot || !collapsed ? seen : new CollapseEvent(step, [new CollapseSignal("rank 0's collapse detector", true, new Dictionary<string, double>())]);
    }
}
