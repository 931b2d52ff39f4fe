using System.CommandLine;
using RawGan.Model.Analysis;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan sv-trace`: σ0..σ2 of every weight of G and D over a run, plotted as in the paper, with a summary.</summary>
internal static class SvTraceCommand
{
    public static Command Create()
    {
        var cmd = new Command("sv-trace", "Plot σ0 of every weight of G and D over a run (sv-G.png, sv-D.png, log scale, fastest-growing layers labelled) " +
                                          "and summarise the fastest-growing layers (sv-summary.txt). Reads the live trace sv.csv, or computes the spectra of every checkpoint.");
        var runArg = new Argument<string>("run") { Description = "A run folder." };
        var source = new Option<string>("--source")
        {
            Description = "csv: read the run's sv.csv (written by train --sv-every); checkpoints: compute σ0..σ2 of every checkpoint " +
                          "(written to sv.csv, or sv-checkpoints.csv when the run has a live trace); auto: csv when there is one.",
            DefaultValueFactory = _ => "auto",
        };
        var top = new Option<int>("--top") { Description = "Fastest-growing layers to label and list per network.", DefaultValueFactory = _ => 5 };
        var device = DeviceChoice.Option();
        cmd.Arguments.Add(runArg);
        foreach (var o in new Option[] { source, top, device }) cmd.Options.Add(o);

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            string path = r.GetValue(runArg)!;
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path} is not a run folder.");
            var run = RunFolder.Open(path);
            string liveCsv = Path.Combine(run.Path, SvCsv.FileName);
            string choice = r.GetValue(source)!.ToLowerInvariant();
            if (choice == "auto") choice = File.Exists(liveCsv) ? "csv" : "checkpoints";
            List<WeightSpectrum> rows = choice switch
            {
                "csv" => File.Exists(liveCsv) ? SvCsv.Read(liveCsv)
                    : throw new FileNotFoundException($"{liveCsv} does not exist: train with --sv-every N, or use --source checkpoints."),
                "checkpoints" => FromCheckpoints(run, r.GetValue(device)!, liveCsv),
                _ => throw new ArgumentException($"Unknown --source \"{choice}\"; use auto, csv or checkpoints."),
            };
            if (rows.Count == 0) throw new InvalidDataException("The trace is empty.");

            int labelled = Math.Max(0, r.GetValue(top));
            foreach (var network in new[] { "G", "D" })
            {
                string png = Path.Combine(run.Path, $"sv-{network}.png");
                SvTracePlot.Save(png, rows, network, labelled);
                Console.WriteLine($"Plot: {png}");
            }
            string summary = SpectrumGrowth.Summarize(rows, labelled);
            File.WriteAllText(Path.Combine(run.Path, "sv-summary.txt"), summary);
            Console.Write(summary);
            Console.WriteLine($"Summary: {Path.Combine(run.Path, "sv-summary.txt")}");
            return 0;
        }));
        return cmd;
    }

    private static List<WeightSpectrum> FromCheckpoints(RunFolder run, string deviceChoice, string liveCsv)
    {
        var checkpoints = run.Checkpoints();
        if (checkpoints.Count == 0) throw new FileNotFoundException($"{run.CheckpointsFolder} has no checkpoints.");
        var dev = DeviceChoice.Open(deviceChoice, Console.WriteLine);
        List<WeightSpectrum> rows = [];
        WorkProgress.Run("checkpoints", report =>
            rows = CheckpointSpectra.Compute(checkpoints, dev, (done, total) => report(done, total, $"checkpoint {done}/{total}")));
        string output = File.Exists(liveCsv) ? Path.Combine(run.Path, "sv-checkpoints.csv") : liveCsv; // never overwrite the live trace
        SvCsv.Write(output, rows);
        Console.WriteLine($"Spectra of {checkpoints.Count} checkpoints: {output}");
        return rows;
    }
}
