using System.CommandLine;
using RawGan.Model.Analysis;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan sv-trace`: σ0..σ2 of every weight of G and D over a run, plotted as in the paper, with a summary.</summary>
internal static class SvTraceCommand
{
    /// <summary>The prefix of the files made from the checkpoints, beside those of the live trace (sv.csv → sv-G.png ...).</summary>
    private const string CheckpointsPrefix = "sv-checkpoints";

    public static Command Create()
    {
        var cmd = new Command("sv-trace", "Plot σ0 of every weight of G and D over a run (log scale, fastest-growing layers labelled) and summarise the " +
                                          "fastest-growing layers. From the live trace sv.csv: sv-G.png, sv-D.png, sv-summary.txt. From the checkpoints: " +
                                          $"{CheckpointsPrefix}.csv, {CheckpointsPrefix}-G.png, {CheckpointsPrefix}-D.png, {CheckpointsPrefix}-summary.txt.");
        var runArg = new Argument<string>("run") { Description = "A run folder." };
        var source = new Option<string>("--source")
        {
            Description = "csv: read the run's sv.csv (written by train --sv-every); checkpoints: compute σ0..σ2 of every checkpoint; auto: csv when there is one.",
            DefaultValueFactory = _ => "auto",
        };
        source.AcceptOnlyFromAmong("auto", "csv", "checkpoints");
        var top = new Option<int>("--top") { Description = "Fastest-growing layers to label and list per network.", DefaultValueFactory = _ => 5 }.AtLeast(0);
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
            var (rows, prefix) = choice == "csv"
                ? (File.Exists(liveCsv) ? SvCsv.Read(liveCsv) : throw new FileNotFoundException($"{liveCsv} does not exist: train with --sv-every N, or use --source checkpoints."), "sv")
                : (FromCheckpoints(run, r.GetValue(device)!), CheckpointsPrefix);
            if (rows.Count == 0) throw new InvalidDataException("The trace is empty.");

            int labelled = r.GetValue(top);
            foreach (var network in new[] { "G", "D" })
            {
                string png = Path.Combine(run.Path, $"{prefix}-{network}.png");
                SvTracePlot.Save(png, rows, network, labelled);
                Console.WriteLine($"Plot: {png}");
            }
            string summary = SpectrumGrowth.Summarize(rows, labelled);
            string summaryPath = Path.Combine(run.Path, $"{prefix}-summary.txt");
            File.WriteAllText(summaryPath, summary);
            Console.Write(summary);
            Console.WriteLine($"Summary: {summaryPath}");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static List<WeightSpectrum> FromCheckpoints(RunFolder run, string deviceChoice)
    {
        var checkpoints = run.Checkpoints();
        if (checkpoints.Count == 0) throw new FileNotFoundException($"{run.CheckpointsFolder} has no checkpoints.");
        var dev = DeviceChoice.Open(deviceChoice, Console.WriteLine);
        List<WeightSpectrum> rows = [];
        WorkProgress.Run("checkpoints", report =>
            rows = CheckpointSpectra.Compute(checkpoints, dev, (done, total) => report(done, total, $"checkpoint {done}/{total}")));
        string output = Path.Combine(run.Path, CheckpointsPrefix + ".csv"); // never sv.csv, which train appends its live trace to
        SvCsv.Write(output, rows);
        Console.WriteLine($"Spectra of {checkpoints.Count} checkpoints: {output}");
        return rows;
    }
}
