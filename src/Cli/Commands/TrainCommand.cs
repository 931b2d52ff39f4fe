using System.CommandLine;
using System.Text.Json;
using RawGan.Model.Analysis;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan train`: with no arguments, the small MNIST BigGAN; every setting has a flag.</summary>
internal static class TrainCommand
{
    /// <summary>Steps of the default run: recognisable digits in about 15 minutes on a 2-core CPU (README).</summary>
    public const long DefaultSteps = 700;

    public static Command Create()
    {
        var cmd = new Command("train", "Train BigGAN. With no options: MNIST at 32x32, a small configuration, CUDA when a GPU is present, else the CPU. " +
                                       "With --resume, the flags that define a run (model, data, batch, seeds, Adam and EMA constants) must be left out; " +
                                       "steps, learning rates, intervals, --keep, --precision, --sv-every and the collapse flags may change (recorded in config.json).");
        var preset = Opt<string>("--preset", "Model configuration: Mnist32, Mnist32Small, Cifar32 or ImageNet128.", "Mnist32");
        var data = Opt<string>("--data", "Data set: mnist (downloaded on first use), fashion-mnist (Debian's dataset-fashion-mnist, fetched on first use), cifar10, folder (one subfolder per class) or synthetic.", "mnist");
        var dataPath = new Option<string?>("--data-path") { Description = "Data location: MNIST cache folder, CIFAR-10 batch folder or image root." };
        var skipBadImages = new Option<bool>("--skip-bad-images") { Description = "Image folders: leave out files that cannot be decoded (listed as a warning) instead of stopping before step 1." };
        var resolution = new Option<int?>("--resolution") { Description = "Override the image size (32, 64, 128, 256)." }.AtLeast(1);
        var ch = new Option<int?>("--ch") { Description = "Override the base channel width." }.AtLeast(1);
        var dimZ = new Option<int?>("--dim-z") { Description = "Override the latent size." }.AtLeast(1);
        var classes = new Option<int?>("--classes") { Description = "Override the number of classes." }.AtLeast(1);
        var channels = new Option<int?>("--channels") { Description = "Override the image channels (1 grayscale, 3 RGB)." }.Between(1, 3);
        var steps = new Option<long?>("--steps") { Description = $"Generator steps to train to (default {DefaultSteps}; with --resume, the run's own)." }.AtLeast(1L);
        var batch = Opt("--batch-size", "Images per batch (real and fake each).", 32).AtLeast(1);
        var gLr = Opt("--g-lr", "Generator learning rate.", 2e-4).Positive();
        var dLr = Opt("--d-lr", "Discriminator learning rate.", 2e-4).Positive();
        var beta1 = Opt("--beta1", "Adam beta1 (BigGAN: 0).", 0.0).Between(0.0, 1.0, maxIncluded: false);
        var beta2 = Opt("--beta2", "Adam beta2.", 0.999).Between(0.0, 1.0, maxIncluded: false);
        var adamEps = Opt("--adam-eps", "Adam epsilon.", 1e-6).Positive();
        var dSteps = Opt("--d-steps", "Discriminator steps per generator step.", 2).AtLeast(1);
        var gAccum = Opt("--g-accumulate", "Micro-batches accumulated per generator step.", 1).AtLeast(1);
        var dAccum = Opt("--d-accumulate", "Micro-batches accumulated per discriminator step.", 1).AtLeast(1);
        // The reference's 0.9999 suits 100k-step runs; over the default 700 steps it would show the G of step 250.
        var emaDecay = Opt("--ema-decay", "Decay of the generator's moving average (G_ema, used for samples).", 0.99).Between(0.0, 1.0);
        var emaStart = Opt("--ema-start", "Step from which G_ema averages (before, it copies G).", 200L).AtLeast(0L);
        var gOrtho = Opt("--g-ortho", "Orthogonal regularisation of G (0: off, as the reference CIFAR script; the paper uses 1e-4 with orthogonal init).", 0.0).AtLeast(0.0);
        var dOrtho = Opt("--d-ortho", "Orthogonal regularisation of D (0: off).", 0.0).AtLeast(0.0);
        var seed = Opt<ulong>("--seed", "Seed of weights, latents and data order.", 0UL);
        var device = DeviceChoice.Option();
        var precision = PrecisionChoice.Option();
        var runs = Opt<string>("--runs", "Folder that holds run folders.", "runs");
        var name = new Option<string?>("--name") { Description = "Run folder name (default: the date and time)." };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: its folder (the newest checkpoint that loads) or a checkpoint file." };
        var logEvery = Opt("--log-every", "Log every N steps.", 10).AtLeast(1);
        var sampleEvery = Opt("--sample-every", "Write a sample sheet every N steps (0: at the end only).", 250).AtLeast(0);
        var checkpointEvery = Opt("--checkpoint-every", "Write a checkpoint every N steps (0: at the end only).", 250).AtLeast(0);
        var keep = Opt("--keep", "Checkpoints to keep.", 3).AtLeast(1);
        var noGraphs = Opt("--no-graphs", "On CUDA, run every op of the step eagerly instead of replaying the step as a captured CUDA graph (same results, slower).", false);
        foreach (var o in new Option[] { preset, data, dataPath, skipBadImages, resolution, ch, dimZ, classes, channels, steps, batch, gLr, dLr, beta1, beta2, adamEps,
                                         dSteps, gAccum, dAccum, emaDecay, emaStart, gOrtho, dOrtho, seed, device, precision, runs, name, resume, logEvery, sampleEvery,
                                         checkpointEvery, keep, noGraphs })
            cmd.Options.Add(o);
        var analysis = new AnalysisOptions();
        foreach (var o in analysis.All) cmd.Options.Add(o);
        var evaluation = new TrainingEvalOptions();
        foreach (var o in evaluation.All) cmd.Options.Add(o);
        var distributed = new DistributedOptions();
        foreach (var o in distributed.All) cmd.Options.Add(o);
        var profiling = new ProfileOptions();
        foreach (var o in profiling.All) cmd.Options.Add(o);

        static RunConfig Training(RunConfig c, Func<TrainingOptions, TrainingOptions> change) => c with { Training = change(c.Training) };
        var flags = new TrainFlags()
            .Fixed(data, c => c.Data, (c, v) => c with { Data = v })
            .Fixed(skipBadImages, c => c.SkipBadImages, (c, v) => c with { SkipBadImages = v })
            .Fixed(batch, c => c.Training.BatchSize, (c, v) => Training(c, t => t with { BatchSize = v }))
            .Fixed(beta1, c => c.Training.Beta1, (c, v) => Training(c, t => t with { Beta1 = v }))
            .Fixed(beta2, c => c.Training.Beta2, (c, v) => Training(c, t => t with { Beta2 = v }))
            .Fixed(adamEps, c => c.Training.AdamEps, (c, v) => Training(c, t => t with { AdamEps = v }))
            .Fixed(dSteps, c => c.Training.DStepsPerGStep, (c, v) => Training(c, t => t with { DStepsPerGStep = v }))
            .Fixed(gAccum, c => c.Training.GAccumulations, (c, v) => Training(c, t => t with { GAccumulations = v }))
            .Fixed(dAccum, c => c.Training.DAccumulations, (c, v) => Training(c, t => t with { DAccumulations = v }))
            .Fixed(emaDecay, c => c.Training.EmaDecay, (c, v) => Training(c, t => t with { EmaDecay = v }))
            .Fixed(emaStart, c => c.Training.EmaStart, (c, v) => Training(c, t => t with { EmaStart = v }))
            .Fixed(gOrtho, c => c.Training.GOrtho, (c, v) => Training(c, t => t with { GOrtho = v }))
            .Fixed(dOrtho, c => c.Training.DOrtho, (c, v) => Training(c, t => t with { DOrtho = v }))
            .Fixed(seed, c => c.Training.Seed, (c, v) => Training(c with { DataSeed = v + 1, ModelSeed = v }, t => t with { Seed = v }))
            .Schedule(dataPath, c => c.DataPath, (c, v) => c with { DataPath = v })
            .Schedule(steps, c => c.Training.Steps, (c, v) => Training(c, t => t with { Steps = (long)v! }))
            .Schedule(gLr, c => c.Training.GLearningRate, (c, v) => Training(c, t => t with { GLearningRate = v }))
            .Schedule(dLr, c => c.Training.DLearningRate, (c, v) => Training(c, t => t with { DLearningRate = v }))
            .Schedule(logEvery, c => c.LogEvery, (c, v) => c with { LogEvery = v })
            .Schedule(sampleEvery, c => c.SampleEvery, (c, v) => c with { SampleEvery = v })
            .Schedule(checkpointEvery, c => c.CheckpointEvery, (c, v) => c with { CheckpointEvery = v })
            .Schedule(keep, c => c.KeepCheckpoints, (c, v) => c with { KeepCheckpoints = v })
            .Schedule(precision, c => c.Training.Precision, (c, v) => Training(c, t => t with { Precision = v!.Value }));
        analysis.Bind(flags);

        // The model flags override the preset's values. On resume, those given must build the run's model (a preset
        // given is taken with its own values where no flag overrides them, as for a new run).
        Option[] modelFlags = [preset, resolution, ch, dimZ, classes, channels];
        BigGanConfig ModelOf(ParseResult r, BigGanConfig? run)
        {
            var m = run is null || TrainFlags.IsGiven(r, preset) ? BigGanConfig.Preset(r.GetValue(preset)!) : run;
            return m with
            {
                Resolution = r.GetValue(resolution) ?? m.Resolution, Ch = r.GetValue(ch) ?? m.Ch, DimZ = r.GetValue(dimZ) ?? m.DimZ,
                NumClasses = r.GetValue(classes) ?? m.NumClasses, ImageChannels = r.GetValue(channels) ?? m.ImageChannels,
            };
        }

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            using var launch = distributed.Start(r); // several ranks under mpirun (README: many GPUs and hosts)
            RunConfig config;
            RunFolder run;
            string? resumeFrom = null;
            if (r.GetValue(resume) is { } resumeArg)
            {
                (resumeFrom, var saved, long step) = ResumePoint.Choose(resumeArg, Console.WriteLine);
                var offenders = new List<string>();
                if (JsonSerializer.Serialize(ModelOf(r, saved.Model)) != JsonSerializer.Serialize(saved.Model))
                    offenders.AddRange(modelFlags.Where(o => TrainFlags.IsGiven(r, o)).Select(o => $"{o.Name} (gives another model than the run's)"));
                offenders.AddRange(new Option[] { runs, name }.Where(o => TrainFlags.IsGiven(r, o)).Select(o => $"{o.Name} (names a new run's folder)"));
                config = flags.Resume(r, saved, step, offenders, Console.WriteLine);
                run = RunFolder.OfCheckpoint(resumeFrom);
            }
            else
            {
                config = flags.NewRun(r, new RunConfig { Model = ModelOf(r, null), Training = new TrainingOptions { Steps = DefaultSteps } });
                config.Model.Validate();
                config.Training.Validate();
                run = RunFolder.Open(launch.FromRoot(() => RunFolder.CreateNew(r.GetValue(runs)!, r.GetValue(name)).Path));
            }

            config = config with { CudaGraphs = !r.GetValue(noGraphs) };
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine, launch.LocalRank);
            var parallel = launch.DataParallel(dev);
            if (parallel is not null) Console.WriteLine(launch.Describe(config.Training.BatchSize));
            var chosen = PrecisionChoice.Resolve(r.GetValue(precision), resumeFrom is null ? null : config.Training.Precision, dev, Console.WriteLine);
            config = Training(config, t => t with { Precision = chosen });
            if (profiling.IsRequested(r)) return profiling.Run(r, config, run, dev);
            using var stop = new StopSignal("stopping after this step and writing a checkpoint", launch.LostRankMessage);
            var evaluator = evaluation.Create(r, config, run, dev);
            var result = ProgressDisplay.Run(config.Training.Steps, observer => CollapseHandling.Run(run, config, dev, resumeFrom, observer, stop.Token, evaluator, parallel));
            launch.Completed();
            Console.WriteLine($"{result.Outcome} at step {result.Step}: {result.Seconds:F0} s, {result.ImagesPerSecond:F1} images/s.");
            if (result.Checkpoint is not null) Console.WriteLine($"Checkpoint: {result.Checkpoint}");
            Console.WriteLine($"Samples: {run.SamplesFolder}");
            return result.Outcome switch
            {
                TrainingOutcome.Completed => ExitCodes.Success,
                TrainingOutcome.Stopped => stop.ExitCode,
                TrainingOutcome.Collapsed => ExitCodes.Collapsed,
                _ => ExitCodes.Diverged,
            };
        }));
        return cmd;
    }

    private static Option<T> Opt<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}
