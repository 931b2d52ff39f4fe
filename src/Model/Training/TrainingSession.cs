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
    /// <summary>Runs (or resumes) training in <paramref name="run"/> until the configured step, a stop request or divergence.</summary>
    /// <param name="evaluator">Optional IS/FID evaluation every N steps (--eval-every), which keeps best.safetensors.</param>
    public static TrainingResult Run(RunFolder run, RunConfig config, Device device, string? resumeFrom, ITrainingObserver observer, CancellationToken stop,
                                     Metrics.TrainingEvaluator? evaluator = null)
    {
        config.Model.Validate();
        config.Training.Validate();
        var dataset = OpenDataset(config, observer.Message);
        CheckDataMatchesModel(dataset, config.Model);

        var g = new BigGanGenerator(config.Model, config.ModelSeed, device);
        var d = new BigGanDiscriminator(config.Model, config.ModelSeed + 1, device);
        var gEma = new BigGanGenerator(config.Model, config.ModelSeed, device);
        var trainer = new GanTrainer<BigGanGenerator, BigGanDiscriminator>(g, d, gEma, config.Training, device,
            name => name.StartsWith("shared.", StringComparison.Ordinal)); // the reference exempts the shared embedding

        var start = LoaderState.Start;
        if (resumeFrom is not null)
        {
            var meta = Checkpoint.Load(resumeFrom, trainer);
            start = new LoaderState(long.Parse(meta["loader_epoch"], CultureInfo.InvariantCulture), int.Parse(meta["loader_batch"], CultureInfo.InvariantCulture));
            observer.Message($"Resumed from {resumeFrom} at step {trainer.Step}.");
        }
        File.WriteAllText(run.ConfigPath, config.ToJson());

        using var loader = new DataLoader(dataset, config.Training.BatchSize, config.DataSeed, device, start: start);
        var batches = new LoaderBatches(loader);
        using var log = new TrainingLog(run);
        var (sampleZ, sampleLabels) = SampleLatents(config, device);
        var monitor = new TrainingMonitor(run, config, g, d, trainer.Step); // sv.csv and the collapse detector

        long imagesPerStep = (long)config.Training.BatchSize * config.Training.DStepsPerGStep * config.Training.DAccumulations;
        long firstStep = trainer.Step;
        string? lastCheckpoint = resumeFrom;
        long lastSaved = trainer.Step;
        var clock = Stopwatch.StartNew();
        observer.Started(firstStep, config.Training.Steps);

        double Rate() => (trainer.Step - firstStep) * imagesPerStep / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
        void Save()
        {
            var meta = new Dictionary<string, string>
            {
                ["loader_epoch"] = loader.State.Epoch.ToString(CultureInfo.InvariantCulture),
                ["loader_batch"] = loader.State.Batch.ToString(CultureInfo.InvariantCulture),
                ["run_config"] = config.ToJson(),
            };
            string path = run.CheckpointPath(trainer.Step);
            Checkpoint.Save(path, trainer, meta);
            lastCheckpoint = path;
            lastSaved = trainer.Step;
            run.PruneCheckpoints(config.KeepCheckpoints);
            observer.Message($"Checkpoint {Path.GetRelativePath(run.Path, path)}");
        }
        void Sample()
        {
            string path = run.SamplePath(trainer.Step);
            WriteSampleSheet(path, gEma, sampleZ, sampleLabels, config.Model.NumClasses, config.SamplesPerClass, monitor.ObserveSamples);
            observer.Message($"Samples {Path.GetRelativePath(run.Path, path)} (diversity {monitor.LastDiversity:F3})");
        }

        while (trainer.Step < config.Training.Steps)
        {
            if (stop.IsCancellationRequested)
            {
                if (trainer.Step > lastSaved) Save();
                return new TrainingResult(TrainingOutcome.Stopped, trainer.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate());
            }
            StepLosses losses;
            try
            {
                losses = trainer.TrainStep(batches);
            }
            catch (TrainingDivergedException e)
            {
                observer.Message(e.Message);
                return new TrainingResult(TrainingOutcome.Diverged, e.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(), e.Message);
            }
            long step = trainer.Step;
            if (step % config.LogEvery == 0 || step == config.Training.Steps)
            {
                var entry = new LogEntry(step, losses.DReal, losses.DFake, losses.G, clock.Elapsed.TotalSeconds, Rate());
                log.Append(entry);
                observer.Logged(entry);
            }
            monitor.AfterStep(step, losses);
            if (config.SampleEvery > 0 && step % config.SampleEvery == 0) Sample();
            if (monitor.Check(step) is { } collapse)
            {
                // Logged before the checkpoint of this step, so lastCheckpoint is the last one before the event.
                EventLog.Append(run.Path, "collapse", collapse, config.Collapse.Action, lastCheckpoint, config.Training.GLearningRate, config.Training.DLearningRate);
                observer.Message($"Collapse detected at step {step}: {collapse.Describe()} (evidence in {EventLog.FileName}).");
                if (config.Collapse.Action != CollapseAction.Warn)
                    return new TrainingResult(TrainingOutcome.Collapsed, step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate(), collapse.Describe(), collapse);
            }
            if (config.CheckpointEvery > 0 && step % config.CheckpointEvery == 0) Save();
            if (evaluator is not null && step % evaluator.Every == 0)
            {
                if (lastSaved != step) Save(); // best.safetensors is a copy of this step's checkpoint
                observer.Message(evaluator.Describe(evaluator.Evaluate(run, step, gEma, lastCheckpoint!, device)));
            }
        }
        if (trainer.Step > lastSaved || lastCheckpoint is null) Save();
        if (config.SampleEvery <= 0 || trainer.Step % config.SampleEvery != 0) Sample();
        observer.Message(monitor.Summary());
        return new TrainingResult(TrainingOutcome.Completed, trainer.Step, lastCheckpoint, clock.Elapsed.TotalSeconds, Rate());
    }

    /// <summary>The data set a configuration names.</summary>
    public static IImageDataset OpenDataset(RunConfig config, Action<string>? log = null) => config.Data.ToLowerInvariant() switch
    {
        "mnist" => MnistDataset.LoadOrFetch(MnistSplit.Train, config.DataPath, config.Model.Resolution, log),
        FashionMnistDataset.Name => FashionMnistDataset.LoadOrFetch(MnistSplit.Train, config.DataPath, config.Model.Resolution, log),
        "cifar10" => Cifar10Dataset.Load(config.DataPath ?? throw new ArgumentException("CIFAR-10 needs --data-path: the folder with data_batch_1.bin ... data_batch_5.bin.")),
        "folder" => new ImageFolderDataset(config.DataPath ?? throw new ArgumentException("An image folder data set needs --data-path: a folder with one subfolder per class."),
                                           config.Model.Resolution, config.Model.ImageChannels),
        "synthetic" => new SyntheticShapes(4096, config.Model.NumClasses, config.Model.Resolution, config.Model.ImageChannels, config.DataSeed),
        _ => throw new ArgumentException($"Unknown data set \"{config.Data}\"; use mnist, fashion-mnist, cifar10, folder or synthetic."),
    };

    private static void CheckDataMatchesModel(IImageDataset data, BigGanConfig model)
    {
        if (data.Channels != model.ImageChannels || data.Height != model.Resolution || data.Width != model.Resolution)
            throw new ArgumentException($"The data set's images are {data.Channels}x{data.Height}x{data.Width}, the model makes " +
                                        $"{model.ImageChannels}x{model.Resolution}x{model.Resolution}; pick a matching --preset, --resolution or --channels.");
        if (data.NumClasses != model.NumClasses)
            throw new ArgumentException($"The data set has {data.NumClasses} classes, the model {model.NumClasses}; set --classes {data.NumClasses}.");
    }

    /// <summary>The fixed latents of the sample sheets: one row per class, <see cref="RunConfig.SamplesPerClass"/> columns.</summary>
    public static (Tensor Z, Tensor Labels) SampleLatents(RunConfig config, Device device)
    {
        int k = config.Model.NumClasses, s = config.SamplesPerClass;
        var z = Tensor.RandomNormal([k * s, config.Model.EffectiveDimZ], config.SampleSeed, device: device);
        var labels = Enumerable.Range(0, k * s).Select(i => i / s).ToArray();
        return (z, Tensor.FromArray(labels, device));
    }

    /// <summary>
    /// Renders G (in eval mode, no gradients) at the given latents as a rows × columns PNG sheet;
    /// <paramref name="inspect"/> sees the images before they are freed (the collapse detector measures their diversity).
    /// </summary>
    public static void WriteSampleSheet(string path, BigGanGenerator g, Tensor z, Tensor labels, int rows, int columns, Action<Tensor>? inspect = null)
    {
        bool training = g.Training;
        g.Eval();
        try
        {
            using var scope = new TensorScope();
            using var noGrad = GradMode.Disable();
            var images = g.Generate(z, labels);
            Png.SaveSheet(path, images.ToDType(DType.Float32), rows, columns);
            inspect?.Invoke(images);
        }
        finally
        {
            g.Train(training);
        }
    }

    private sealed class LoaderBatches(DataLoader loader) : IRealBatches
    {
        public (Tensor Images, Tensor Labels) Next()
        {
            var batch = loader.Next();
            return (batch.Images, batch.Labels);
        }
    }
}
