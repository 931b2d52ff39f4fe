using System.CommandLine;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.IO;
using RawGan.Model;
using RawGan.Model.BigGan;
using RawGan.Model.Images;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan sample`: image sheets from a run's EMA generator, with truncation and interpolations.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var cmd = new Command("sample", "Draw a PNG sheet from a trained generator (G_ema): one row per class, or interpolations in z or between classes.");
        var source = new Argument<string>("run-or-checkpoint") { Description = "A run folder (its newest checkpoint) or a checkpoint file." };
        var output = new Option<string?>("--out") { Description = "PNG to write (default: samples/sample_<time>.png in the run folder)." };
        var classes = new Option<string?>("--classes") { Description = "Comma-separated class indices (default: the run's sheet classes, 10 evenly spaced; all when the model has no more)." };
        var perClass = new Option<int>("--per-class") { Description = "Images per class (columns; interpolation steps).", DefaultValueFactory = _ => 8 }.AtLeast(1);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the latents.", DefaultValueFactory = _ => 0UL };
        var truncation = new Option<double>("--truncation")
        {
            Description = "Truncation threshold: every latent component beyond it is resampled (the paper's trick); 0 turns it off.",
            DefaultValueFactory = _ => 0.0,
        }.AtLeast(0.0);
        var interpolate = new Option<string>("--interpolate")
        {
            Description = "none, z (each row moves between two latents of one class) or class (each row moves from one class's embedding to the next's at a fixed z).",
            DefaultValueFactory = _ => "none",
        };
        interpolate.AcceptOnlyFromAmong("none", "z", "class");
        var raw = new Option<bool>("--no-ema") { Description = "Sample the trained G instead of its moving average." };
        var batchStats = new Option<bool>("--batch-stats")
        {
            Description = "Normalise with the sheet's own batch statistics (BigGAN-PyTorch's default, G_eval_mode off) instead of the running statistics.",
        };
        var device = DeviceChoice.Option();
        var precision = PrecisionChoice.Option();
        var standing = new StandingStatsOptions();
        foreach (var o in new Option[] { output, classes, perClass, seed, truncation, interpolate, raw, batchStats, device, precision }.Concat(standing.All)) cmd.Options.Add(o);
        cmd.Arguments.Add(source);

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string checkpoint = RunFolder.ResolveCheckpoint(r.GetValue(source)!);
            int standingBatches = standing.Requested(r, r.GetValue(batchStats));
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            var policy = PrecisionChoice.Resolve(r.GetValue(precision), null, dev, Console.WriteLine);
            using var file = SafeTensors.Load(checkpoint);
            var config = Checkpoint.ConfigOf(file);
            var g = new BigGanGenerator(config.Model, config.ModelSeed, dev);
            Checkpoint.LoadGenerator(file, g, preferEma: !r.GetValue(raw));
            g.Train(r.GetValue(batchStats));

            int k = config.Model.NumClasses, columns = r.GetValue(perClass);
            int[] rows = r.GetValue(classes) is { } chosen ? ParseClasses(chosen, k) : config.SheetClasses();
            double threshold = r.GetValue(truncation);
            if (standingBatches > 0)
            {
                standing.Apply(r, g, threshold > 0 ? threshold : null, r.GetValue(seed), dev);
                Console.WriteLine($"Standing statistics from {standingBatches} batches of {r.GetValue(standing.BatchSize)} latents.");
            }
            var rng = new RawGan.Engine.Rng.PhiloxGenerator(r.GetValue(seed));
            Tensor Latents(int n) => threshold > 0
                ? rng.TruncatedNormal([n, g.DimZ], threshold, device: dev)
                : rng.Normal([n, g.DimZ], device: dev);

            Tensor images;
            int sheetRows;
            // In eval mode the images are independent, so they are drawn a training batch at a time (an ImageNet128
            // sheet of 80 in one batch held 16 GB on the CPU); with --batch-stats the sheet is the batch.
            int chunk = r.GetValue(batchStats) ? int.MaxValue : config.Training.BatchSize;
            using (GradMode.Disable())
            using (Autocast.Enable(policy))
            {
                Tensor z, condition;
                Func<Tensor, Tensor, Tensor> forward = g.Generate;
                switch (r.GetValue(interpolate)!.ToLowerInvariant())
                {
                    case "none":
                        (z, condition) = (Latents(rows.Length * columns), Labels(rows.SelectMany(c => Enumerable.Repeat(c, columns)), dev));
                        sheetRows = rows.Length;
                        break;
                    case "z":
                        (z, condition) = (Interpolate(Latents(rows.Length), Latents(rows.Length), columns), Labels(rows.SelectMany(c => Enumerable.Repeat(c, columns)), dev));
                        sheetRows = rows.Length;
                        break;
                    case "class":
                        if (g.Shared is null) throw new ArgumentException("Class interpolation needs a model with a shared class embedding.");
                        if (rows.Length < 2) throw new ArgumentException("Class interpolation needs at least two classes in --classes.");
                        var from = g.Shared.Forward(Labels(rows[..^1], dev));
                        var to = g.Shared.Forward(Labels(rows[1..], dev));
                        var start = Latents(rows.Length - 1);
                        (z, condition, forward) = (Interpolate(start, start, columns), Interpolate(from, to, columns), g.Forward);
                        sheetRows = rows.Length - 1;
                        break;
                    default:
                        throw new ArgumentException("--interpolate takes none, z or class.");
                }
                images = ConditionalGeneratorExtensions.InChunks(forward, z, condition, chunk);
            }
            string path = r.GetValue(output) ?? Path.Combine(RunFolder.OfCheckpoint(checkpoint).SamplesFolder, $"sample_{DateTime.Now:yyyyMMdd-HHmmss}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            Png.SaveSheet(path, images.ToDType(DType.Float32), sheetRows, columns);
            Console.WriteLine($"Wrote {path} ({sheetRows} rows x {columns} columns) from {checkpoint}.");
            return 0;
        }));
        return cmd;
    }

    private static int[] ParseClasses(string text, int count)
    {
        var parsed = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out int c) && c >= 0 && c < count
                ? c
                : throw new ArgumentException($"--classes: \"{s}\" is not a class index in [0, {count})."));
        var rows = parsed.ToArray();
        return rows.Length > 0 ? rows : throw new ArgumentException("--classes lists no class index.");
    }

    private static Tensor Labels(IEnumerable<int> labels, Device device) => Tensor.FromArray(labels.ToArray(), device);

    // Row i, column j: (1 − t_j)·a_i + t_j·b_i with t_j = j/(columns − 1).
    private static Tensor Interpolate(Tensor a, Tensor b, int columns)
    {
        int n = a.Shape[0], d = a.Shape[1];
        var t = Enumerable.Range(0, columns).Select(j => columns == 1 ? 0.0 : (double)j / (columns - 1)).ToArray();
        var weights = Tensor.FromArray(t, new Shape(1, columns, 1), a.Device).ToDType(a.DType);
        var a3 = Ops.Reshape(a, new Shape(n, 1, d));
        var b3 = Ops.Reshape(b, new Shape(n, 1, d));
        var mixed = Ops.Add(a3, Ops.Mul(Ops.Sub(b3, a3), weights));
        return Ops.Reshape(mixed, new Shape(n * columns, d));
    }
}
