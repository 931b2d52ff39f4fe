using System.CommandLine;
using RawGan.Engine;
using RawGan.Engine.IO;
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
        var cmd = new Command("train", "Train BigGAN. With no options: MNIST at 32x32, a small configuration, CUDA when a GPU is present, else the CPU.");
        var preset = Opt<string>("--preset", "Model configuration: Mnist32, Mnist32Small, Cifar32 or ImageNet128.", "Mnist32");
        var data = Opt<string>("--data", "Data set: mnist (downloaded on first use), fashion-mnist (Debian's dataset-fashion-mnist, fetched on first use), cifar10, folder (one subfolder per class) or synthetic.", "mnist");
        var dataPath = new Option<string?>("--data-path") { Description = "Data location: MNIST cache folder, CIFAR-10 batch folder or image root." };
        var resolution = new Option<int?>("--resolution") { Description = "Override the image size (32, 64, 128, 256)." };
        var ch = new Option<int?>("--ch") { Description = "Override the base channel width." };
        var dimZ = new Option<int?>("--dim-z") { Description = "Override the latent size." };
        var classes = new Option<int?>("--classes") { Description = "Override the number of classes." };
        var channels = new Option<int?>("--channels") { Description = "Override the image channels (1 grayscale, 3 RGB)." };
        var steps = new Option<long?>("--steps") { Description = $"Generator steps to train to (default {DefaultSteps}; with --resume, the run's own)." };
        var batch = Opt<int>("--batch-size", "Images per batch (real and fake each).", 32);
        var gLr = Opt<double>("--g-lr", "Generator learning rate.", 2e-4);
        var dLr = Opt<double>("--d-lr", "Discriminator learning rate.", 2e-4);
        var beta1 = Opt<double>("--beta1", "Adam beta1 (BigGAN: 0).", 0.0);
        var beta2 = Opt<double>("--beta2", "Adam beta2.", 0.999);
        var adamEps = Opt<double>("--adam-eps", "Adam epsilon.", 1e-6);
        var dSteps = Opt<int>("--d-steps", "Discriminator steps per generator step.", 2);
        var gAccum = Opt<int>("--g-accumulate", "Micro-batches accumulated per generator step.", 1);
        var dAccum = Opt<int>("--d-accumulate", "Micro-batches accumulated per discriminator step.", 1);
        // The reference's 0.9999 suits 100k-step runs; over the default 700 steps it would show the G of step 250.
        var emaDecay = Opt<double>("--ema-decay", "Decay of the generator's moving average (G_ema, used for samples).", 0.99);
        var emaStart = Opt<long>("--ema-start", "Step from which G_ema averages (before, it copies G).", 200);
        var gOrtho = Opt<double>("--g-ortho", "Orthogonal regularisation of G (0: off, as the reference CIFAR script; the paper uses 1e-4 with orthogonal init).", 0.0);
        var dOrtho = Opt<double>("--d-ortho", "Orthogonal regularisation of D (0: off).", 0.0);
        var seed = Opt<ulong>("--seed", "Seed of weights, latents and data order.", 0UL);
        var device = DeviceChoice.Option();
        var runs = Opt<string>("--runs", "Folder that holds run folders.", "runs");
        var name = new Option<string?>("--name") { Description = "Run folder name (default: the date and time)." };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: its folder (newest checkpoint) or a checkpoint file." };
        var logEvery = Opt<int>("--log-every", "Log every N steps.", 10);
        var sampleEvery = Opt<int>("--sample-every", "Write a sample sheet every N steps (0: at the end only).", 250);
        var checkpointEvery = Opt<int>("--checkpoint-every", "Write a checkpoint every N steps (0: at the end only).", 250);
        var keep = Opt<int>("--keep", "Checkpoints to keep.", 3);
        foreach (var o in new Option[] { preset, data, dataPath, resolution, ch, dimZ, classes, channels, steps, batch, gLr, dLr, beta1, beta2, adamEps, dSteps,
                                         gAccum, dAccum, emaDecay, emaStart, gOrtho, dOrtho, seed, device, runs, name, resume, logEvery, sampleEvery, checkpointEvery, keep })
            cmd.Options.Add(o);
        var analysis = new AnalysisOptions();
        foreach (var o in analysis.All) cmd.Options.Add(o);
        var evaluation = new TrainingEvalOptions();
        foreach (var o in evaluation.All) cmd.Options.Add(o);

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            RunConfig config;
            RunFolder run;
            string? resumeFrom = null;
            if (r.GetValue(resume) is { } resumeArg)
            {
                resumeFrom = RunFolder.ResolveCheckpoint(resumeArg);
                using (var header = SafeTensors.Load(resumeFrom))
                {
                    config = header.Metadata.TryGetValue("run_config", out var json)
                        ? RunConfig.FromJson(json, resumeFrom)
                        : throw new InvalidDataException($"{resumeFrom} carries no run configuration; it was not written by rawgan train.");
                }
                if (r.GetValue(steps) is { } total) config = config with { Training = config.Training with { Steps = total } };
                run = RunFolder.Open(Path.GetDirectoryName(Path.GetDirectoryName(resumeFrom))!);
            }
            else
            {
                var model = BigGanConfig.Preset(r.GetValue(preset)!);
                model = model with
                {
                    Resolution = r.GetValue(resolution) ?? model.Resolution,
                    Ch = r.GetValue(ch) ?? model.Ch,
                    DimZ = r.GetValue(dimZ) ?? model.DimZ,
                    NumClasses = r.GetValue(classes) ?? model.NumClasses,
                    ImageChannels = r.GetValue(channels) ?? model.ImageChannels,
                };
                ulong s = r.GetValue(seed);
                config = new RunConfig
                {
                    Model = model,
                    Training = new TrainingOptions
                    {
                        Steps = r.GetValue(steps) ?? DefaultSteps, BatchSize = r.GetValue(batch), GLearningRate = r.GetValue(gLr), DLearningRate = r.GetValue(dLr),
                        Beta1 = r.GetValue(beta1), Beta2 = r.GetValue(beta2), AdamEps = r.GetValue(adamEps), DStepsPerGStep = r.GetValue(dSteps),
                        GAccumulations = r.GetValue(gAccum), DAccumulations = r.GetValue(dAccum), EmaDecay = r.GetValue(emaDecay), EmaStart = r.GetValue(emaStart),
                        GOrtho = r.GetValue(gOrtho), DOrtho = r.GetValue(dOrtho), Seed = s,
                    },
                    Data = r.GetValue(data)!, DataPath = r.GetValue(dataPath), DataSeed = s + 1, ModelSeed = s,
                    LogEvery = Math.Max(1, r.GetValue(logEvery)), SampleEvery = r.GetValue(sampleEvery), CheckpointEvery = r.GetValue(checkpointEvery),
                    KeepCheckpoints = Math.Max(1, r.GetValue(keep)),
                };
                config.Model.Validate();
                config.Training.Validate();
                run = RunFolder.CreateNew(r.GetValue(runs)!, r.GetValue(name));
            }

            config = analysis.Apply(r, config);
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            Console.WriteLine($"Run folder: {run.Path}");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                if (stop.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
                e.Cancel = true;
                stop.Cancel();
                Console.Error.WriteLine("Stopping after this step: writing a checkpoint (Ctrl-C again to abort).");
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                var evaluator = evaluation.Create(r, config, run, dev);
                var result = ProgressDisplay.Run(config.Training.Steps, observer => CollapseHandling.Run(run, config, dev, resumeFrom, observer, stop.Token, evaluator));
                Console.WriteLine($"{result.Outcome} at step {result.Step}: {result.Seconds:F0} s, {result.ImagesPerSecond:F1} images/s.");
                if (result.Checkpoint is not null) Console.WriteLine($"Checkpoint: {result.Checkpoint}");
                Console.WriteLine($"Samples: {Path.Combine(run.Path, "samples")}");
                return result.Outcome switch
                {
                    TrainingOutcome.Completed => 0,
                    TrainingOutcome.Stopped => 130,
                    TrainingOutcome.Collapsed => 4,
                    _ => 3,
                };
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        }));
        return cmd;
    }

    private static Option<T> Opt<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}
