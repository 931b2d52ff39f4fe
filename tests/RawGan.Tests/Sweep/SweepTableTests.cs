using RawGan.Model.Sweep;
using RawGan.Model.Training;

namespace RawGan.Tests.Sweep;

/// <summary>The sweep's table from results written by hand: means, sample standard deviations, changes against the baseline.</summary>
public class SweepTableTests
{
    private static SweepResult Result(int cell, ulong seed, double isNone, double fidNone, double seconds, TrainingOutcome outcome = TrainingOutcome.Completed) => new()
    {
        Cell = cell, Label = $"c{cell}", Seed = seed, Outcome = outcome, Step = 10, TrainSeconds = seconds, ImagesPerSecond = 100 + cell,
        Scores = [new SweepScore { Truncation = null, Is = isNone, Fid = fidNone }, new SweepScore { Truncation = 1.0, Is = isNone + 1, Fid = fidNone + 1 }],
    };

    [Test]
    public void MeansSpreadsAndChangesAgainstTheBaseline()
    {
        var spec = new SweepSpec { Grid = [new("batch", ["8", "16", "32", "64"])], Seeds = [0, 1], Truncations = ["none", "1.0"], Baseline = 0 };
        var results = new[]
        {
            Result(0, 0, 4, 20, 10), Result(0, 1, 6, 30, 20),
            Result(1, 0, 6, 10, 30), Result(1, 1, 6, 14, 50, TrainingOutcome.Collapsed),
            new SweepResult { Cell = 3, Label = "c3", Seed = 0, Outcome = TrainingOutcome.Diverged, Step = 3, TrainSeconds = 1 }, // no checkpoint to score
        };
        var rows = SweepTable.Build(spec, spec.Cells(), results);
        Assert.That(rows, Has.Count.EqualTo(8));
        var baseline = rows[0];
        Assert.That((baseline.Is!.Value.Mean, baseline.Is.Value.Std), Is.EqualTo((5.0, Math.Sqrt(2))), "sample std of 4 and 6");
        Assert.That(baseline.IsChange, Is.Null);
        var second = rows[1];
        Assert.That(second.Is!.Value, Is.EqualTo(new MeanStd(6, 0)));
        Assert.That(second.IsChange!.Value, Is.EqualTo(20).Within(1e-9), "IS 6 against 5");
        Assert.That(second.FidChange!.Value, Is.EqualTo(-52).Within(1e-9), "FID 12 against 25");
        Assert.That(second.TrainSeconds, Is.EqualTo(40));
        Assert.That(second.Outcomes, Is.EqualTo("1 completed, 1 collapsed"));
        Assert.That(rows[2].Seeds, Is.Zero, "a cell without results is pending");
        Assert.That(rows[2].Is, Is.Null);
        Assert.That((rows[3].Seeds, rows[3].Outcomes, rows[3].Is), Is.EqualTo((0, "1 diverged", (MeanStd?)null)), "a run without a score still shows how it ended");
        Assert.That(rows[5].Truncation, Is.EqualTo(1.0));
        Assert.That(rows[5].IsChange!.Value, Is.EqualTo((7.0 / 6 - 1) * 100).Within(1e-9));

        var markdown = SweepTable.Markdown(spec, rows);
        Assert.That(markdown, Does.Contain("| 0 | batch=8 (baseline) | 2 completed | 5.000 ± 1.414 | — | 25.00 ± 7.07 | — | 15 s | 100.0 |"));
        Assert.That(markdown, Does.Contain("| 1 | batch=16 | 1 completed, 1 collapsed | 6.000 ± 0.000 | +20.0 % | 12.00 ± 2.83 | −52.0 % | 40 s | 101.0 |"));
        Assert.That(markdown, Does.Contain("| 2 | batch=32 | pending | — | — | — | — | — | — |"));
        Assert.That(markdown, Does.Contain("| 3 | batch=64 | 1 diverged | — | — | — | — | 1 s | 0.0 |"));
        Assert.That(markdown, Does.Contain("Truncation 1, "));

        var csv = SweepTable.Csv(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csv, Has.Length.EqualTo(9));
        Assert.That(csv[2], Does.StartWith("1,batch=16,none,2,\"1 completed, 1 collapsed\","));
        var numbers = csv[2].Split("\",")[1].Split(',').Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.That(numbers, Is.EqualTo(new[] { 6, 0, 12, Math.Sqrt(8), 20, -52, 40, 101 }).Within(1e-9));
        Assert.That(csv[3], Is.EqualTo("2,batch=32,none,0,,,,,,,,,"));
    }
}
