using System.CommandLine;
using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.IO;
using RawGan.Model;
using RawGan.Model.BigGan;
using RawGan.Model.Metrics;
using RawGan.Model.Training;
using Spectre.Console;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan eval`: IS and FID of a run's EMA generator over truncation thresholds; a table, eval.jsonl and a PNG curve.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var cmd = new Command("eval", "Measure the Inception Score and FID of a trained generator (G_ema) at several truncation thresholds: prints a table, " +
                                      "appends to eval.jsonl in the run folder and draws the truncation curve (IS against FID) as a PNG.");
        var source = new Argument<string>("run-or-checkpoint") { Description = "A run folder (its newest checkpoint) or a checkpoint file (e.g. best.safetensors)." };
        var truncation = new Option<string>("--truncation")
        {
            Description = "Comma-separated truncation thresholds of z; none for untruncated latents.",
            DefaultValueFactory = _ => "0.25,0.5,1.0,1.5,2.0,none",
        };
        var samples = new Option<int>("--samples") { Description = "Generated images per threshold (the paper uses 50000).", DefaultValueFactory = _ => 10000 }
            .AtLeast(InceptionScore.DefaultSplits);
        var batch = new Option<int>("--batch-size") { Description = "Images generated and scored at a time.", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var seed = new Option<ulong>("--seed") { Description = "Seed of latents and labels (the same for every threshold).", DefaultValueFactory = _ => 0UL };
        var plot = new Option<string?>("--plot") { Description = "PNG of the truncation curve (default: eval_<step>.png in the run folder)." };
        var noEma = new Option<bool>("--no-ema") { Description = "Score the trained G instead of its moving average." };
        var batchStats = new Option<bool>("--batch-stats") { Description = "Normalise with each batch's own statistics instead of the running ones (as rawgan sample --batch-stats)." };
        var features = new EvalOptions();
        var device = DeviceChoice.Option();
        var precision = PrecisionChoice.Option();
        var standing = new StandingStatsOptions();
        foreach (var o in new Option[] { truncation, samples, batch, seed, plot, noEma, batchStats }.Concat(features.All).Append(device).Append(precision).Concat(standing.All)) cmd.Options.Add(o);
        cmd.Arguments.Add(source);

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string checkpoint = RunFolder.ResolveCheckpoint(r.GetValue(source)!);
            var thresholds = r.GetValue(truncation)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(EvalRecord.ParseTruncation).Distinct().ToArray();
            if (thresholds.Length == 0) throw new ArgumentException("--truncation needs at least one threshold (or none).");
            int count = r.GetValue(samples);
            if (count < InceptionScore.DefaultSplits) throw new ArgumentException($"--samples must be at least {InceptionScore.DefaultSplits} (the Inception Score's splits).");
            int standingBatches = standing.Requested(r, r.GetValue(batchStats));
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            var policy = PrecisionChoice.Resolve(r.GetValue(precision), null, dev, Console.WriteLine);

            RunConfig config;
            long step;
            BigGanGenerator g;
            using (var file = SafeTensors.Load(checkpoint))
            {
                config = Checkpoint.ConfigOf(file);
                step = Checkpoint.StepOf(file);
                g = new BigGanGenerator(config.Model, config.ModelSeed, dev);
                Checkpoint.LoadGenerator(file, g, preferEma: !r.GetValue(noEma));
            }
            g.Train(r.GetValue(batchStats));
            string runPath = RunFolder.OfCheckpoint(checkpoint).Path;
            Console.WriteLine($"Scoring {(r.GetValue(noEma) ? "G" : "G_ema")} of {checkpoint} (step {step}).");

            using var setup = features.Open(r, config, dev);
            using var stop = new StopSignal();
            var records = new List<EvalRecord>();
            // Every threshold with the checkpoint's running statistics first; then, with --standing-stats, every threshold
            // again with standing statistics accumulated at that threshold (the reference's sample.py re-accumulates them
            // for each z variance), which replace the running ones.
            var settings = thresholds.Select(t => (Truncation: t, Standing: 0))
                .Concat(standingBatches > 0 ? thresholds.Select(t => (Truncation: t, Standing: standingBatches)) : []);
            foreach (var (t, standingStats) in settings)
            {
                if (stop.IsCancellationRequested) break;
                EvalRecord? record = null;
                try
                {
                    string title = $"truncation {EvalRecord.FormatTruncation(t)}" + (standingStats > 0 ? $", standing statistics ({standingStats} batches)" : "");
                    WorkProgress.Run(title, report =>
                    {
                        if (standingStats > 0) standing.Apply(r, g, t, r.GetValue(seed), dev);
                        record = setup.Evaluate("eval", step, Path.GetRelativePath(runPath, checkpoint), (z, y) => g.Generate(policy, z, y), g.DimZ, config.Model.NumClasses, count, t,
                                                r.GetValue(seed), dev, (done, total) => report(done, total, $"{done}/{total} images"), stop.Token)
                                 with { StandingStats = standingStats };
                    });
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("Stopped; keeping the thresholds already scored.");
                    break;
                }
                records.Add(record!);
                EvalLog.Append(Path.Combine(runPath, EvalLog.FileName), [record!]);
            }
            if (records.Count == 0) return stop.ExitCode;
            ShowTable(records, setup);
            string png = r.GetValue(plot) ?? Path.Combine(runPath, $"eval_{step:D8}.png");
            TruncationCurve.Save(png, records, $"step {step}, {setup.Network.Name}, {count} samples");
            Console.WriteLine($"Appended {records.Count} record(s) to {Path.Combine(runPath, EvalLog.FileName)}; curve {png}.");
            return stop.IsCancellationRequested ? stop.ExitCode : ExitCodes.Success;
        }));
        return cmd;
    }

    private static void ShowTable(IReadOnlyList<EvalRecord> records, FeatureSetup setup)
    {
        bool standing = records.Any(r => r.StandingStats > 0);
        var table = new Table().AddColumns("truncation", "IS", "± (std, 10 splits)", "FID", "seconds");
        if (standing) table.AddColumn("BN statistics");
        foreach (var c in table.Columns.Skip(1).Take(4)) c.RightAligned();
        foreach (var r in records.OrderBy(r => r.Truncation ?? double.PositiveInfinity).ThenBy(r => r.StandingStats))
        {
            var row = new List<string> { EvalRecord.FormatTruncation(r.Truncation), r.IsMean.ToString("F3", CultureInfo.InvariantCulture), r.IsStd.ToString("F3", CultureInfo.InvariantCulture),
                                         r.Fid.ToString("F3", CultureInfo.InvariantCulture), r.Seconds.ToString("F0", CultureInfo.InvariantCulture) };
            if (standing) row.Add(r.StandingStats > 0 ? $"standing ({r.StandingStats} batches)" : "running");
            table.AddRow([.. row]);
        }
        var real = setup.Real.InceptionScore;
        var realRow = new List<string> { $"[grey]real {setup.Key.Split}[/]", $"[grey]{real.Mean.ToString("F3", CultureInfo.InvariantCulture)}[/]", $"[grey]{real.Std.ToString("F3", CultureInfo.InvariantCulture)}[/]", "[grey]0[/]", "" };
        if (standing) realRow.Add("");
        table.AddRow([.. realRow]);
        table.Caption = new TableTitle($"{setup.Network.Name}; FID against {setup.Key.Samples} real {setup.Key.Dataset} {setup.Key.Split} images");
        AnsiConsole.Write(table);
    }
}
