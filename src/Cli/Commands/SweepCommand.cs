using System.CommandLine;
using System.Globalization;
using RawGan.Model.Metrics;
using RawGan.Model.Sweep;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan sweep`: a grid of training configurations × seeds, each trained and scored; one table (Markdown, CSV) and a plot.</summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var cmd = new Command("sweep", "Train a grid of configurations × seeds with the same code as rawgan train, score each at fixed truncations, and write one table " +
                                       "(IS and FID mean ± std over seeds, change against the baseline, run time) as table.md and table.csv, and sweep.png. " +
                                       "Resumable: run it again on the same folder to continue.");
        var folder = new Argument<string>("folder") { Description = "The sweep's folder: sweep.json, results.jsonl, runs/<cell>-<seed>/, the table and the plot." };
        var preset = new Option<string?>("--preset") { Description = $"A ready-made sweep: {string.Join(", ", SweepPresets.Names)} (the paper's Table 1 at MNIST scale)." };
        var file = new Option<string?>("--file") { Description = "A sweep file (JSON; --print writes one to start from)." };
        var axes = new Option<string[]>("--axis")
        {
            Description = "An axis of the grid, axis=value1,value2 (repeatable; crossed with the preset's or file's rows). Axes: " +
                          string.Join(", ", SweepAxes.All.Select(a => a.Name).Order(StringComparer.Ordinal)) + ".",
            AllowMultipleArgumentsPerToken = false,
        };
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seeds (each cell is trained once per seed)." };
        var steps = new Option<long?>("--steps") { Description = "Generator steps of every run." };
        var data = new Option<string?>("--data") { Description = "Data set of every run: mnist or fashion-mnist (or any rawgan train takes, with --features inception)." };
        var dataPath = new Option<string?>("--data-path") { Description = "Where the data lives (as rawgan train --data-path)." };
        var truncation = new Option<string?>("--truncation") { Description = "Comma-separated truncation thresholds every run is scored at; none for untruncated latents." };
        var samples = new Option<int?>("--eval-samples") { Description = "Generated images per truncation." };
        var print = new Option<bool>("--print") { Description = "Print the sweep file these options define and exit (nothing is trained)." };
        var features = new EvalOptions();
        var device = DeviceChoice.Option();
        foreach (var o in new Option[] { preset, file, axes, seeds, steps, data, dataPath, truncation, samples, print }.Concat(features.All).Append(device)) cmd.Options.Add(o);
        cmd.Arguments.Add(folder);

        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            var spec = Define(r.GetValue(preset), r.GetValue(file), r.GetValue(axes) ?? []);
            bool overrides = r.GetValue(seeds) is not null || r.GetValue(steps) is not null || r.GetValue(data) is not null || r.GetValue(dataPath) is not null ||
                             r.GetValue(truncation) is not null || r.GetValue(samples) is not null;
            if (spec is null && overrides)
                throw new ArgumentException("--seeds, --steps, --data, --data-path, --truncation and --eval-samples change a sweep: give it with --preset, --file or --axis.");
            if (spec is not null)
            {
                var b = spec.Base;
                spec = spec with
                {
                    Base = b with
                    {
                        Training = b.Training with { Steps = r.GetValue(steps) ?? b.Training.Steps },
                        Data = r.GetValue(data) ?? b.Data,
                        DataPath = r.GetValue(dataPath) ?? b.DataPath,
                    },
                    Seeds = r.GetValue(seeds) is { } s ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseSeed).ToArray() : spec.Seeds,
                    Truncations = r.GetValue(truncation) is { } t ? t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : spec.Truncations,
                    EvalSamples = r.GetValue(samples) ?? spec.EvalSamples,
                };
            }
            if (r.GetValue(print))
            {
                Console.WriteLine((spec ?? throw new ArgumentException("--print needs --preset, --file or --axis.")).Validate().ToJson());
                return 0;
            }

            var runner = SweepRunner.Open(r.GetValue(folder)!, spec);
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine);
            Console.WriteLine($"Sweep {runner.Spec.Name} in {runner.Folder}: {runner.Cells.Count} cells × {runner.Spec.Seeds.Count} seeds.");
            using var setup = features.Open(r, runner.Spec.Base, dev);
            using var stop = new StopSignal("stopping after this step; the run in progress writes a checkpoint, and the same command continues the sweep");
            var (results, complete) = SweepProgress.Run(observer => runner.Run(dev, setup, observer, stop.Token));

            var rows = SweepTable.Build(runner.Spec, runner.Cells, results);
            string markdown = Path.Combine(runner.Folder, "table.md"), csv = Path.Combine(runner.Folder, "table.csv"), png = Path.Combine(runner.Folder, "sweep.png");
            File.WriteAllText(markdown, SweepTable.Markdown(runner.Spec, rows));
            File.WriteAllText(csv, SweepTable.Csv(rows));
            SweepPlot.Save(png, runner.Spec, rows, $"{setup.Network.Name}, {setup.Key.Dataset}");
            Console.WriteLine();
            Console.Write(SweepTable.Markdown(runner.Spec, rows));
            Console.WriteLine($"{(complete ? "Done" : "Stopped; run the same command again to continue")}: {results.Count} of {runner.Cells.Count * runner.Spec.Seeds.Count} runs. " +
                              $"Table {markdown} and {csv}; plot {png}.");
            return complete ? ExitCodes.Success : stop.ExitCode;
        }));
        return cmd;
    }

    // The sweep the options name: a preset or a file, with --axis grids added; null when none is given (continue the folder's).
    private static SweepSpec? Define(string? preset, string? file, string[] axes)
    {
        if (preset is not null && file is not null) throw new ArgumentException("Give either --preset or --file, not both.");
        var spec = preset is not null ? SweepPresets.Get(preset)
                 : file is not null ? SweepSpec.FromJson(File.Exists(file) ? File.ReadAllText(file) : throw new FileNotFoundException($"No sweep file at {file}.", file), file)
                 : axes.Length > 0 ? new SweepSpec { Name = "grid", Base = SweepPresets.DefaultBase() }
                 : null;
        return spec is null || axes.Length == 0 ? spec : spec with { Grid = [.. spec.Grid, .. axes.Select(SweepSpec.ParseAxis)] };
    }

    private static ulong ParseSeed(string text) => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong seed)
        ? seed
        : throw new ArgumentException($"--seeds: \"{text}\" is not a seed (a non-negative integer).");
}
