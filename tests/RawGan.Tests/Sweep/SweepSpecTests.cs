using RawGan.Model.BigGan;
using RawGan.Model.Sweep;
using RawGan.Model.Training;

namespace RawGan.Tests.Sweep;

/// <summary>Sweep files: cells from rows and grids, the axes, JSON in and out, and the errors a user meets.</summary>
public class SweepSpecTests
{
    [Test]
    public void AGridCrossesEveryValueWithTheFirstAxisSlowest()
    {
        var spec = new SweepSpec { Grid = [new("batch", ["8", "16"]), new("ch", ["4", "6"])] };
        var cells = spec.Cells();
        Assert.That(cells.Select(c => c.Label), Is.EqualTo(new[] { "batch=8 ch=4", "batch=8 ch=6", "batch=16 ch=4", "batch=16 ch=6" }));
        Assert.That(cells.Select(c => (c.Config.Training.BatchSize, c.Config.Model.Ch)), Is.EqualTo(new[] { (8, 4), (8, 6), (16, 4), (16, 6) }));
        Assert.That(cells.Select(c => c.Index), Is.EqualTo(new[] { 0, 1, 2, 3 }));
    }

    [Test]
    public void RowsAreCrossedWithTheGridAndApplyTheirSettingsInOrder()
    {
        var spec = new SweepSpec
        {
            Base = new RunConfig { Model = BigGanConfig.Mnist32 },
            Rows = [[], [new("shared", ["true"])], [new("hier", ["true"]), new("ortho", ["1e-4"])]],
            Grid = [new("d_steps", ["1", "3"])],
        };
        var cells = spec.Cells();
        Assert.That(cells, Has.Count.EqualTo(6));
        Assert.That(cells[0].Label, Is.EqualTo("d_steps=1"));
        var shared = cells[2].Config;
        Assert.That((shared.Model.SharedEmbedding, shared.Model.SharedDim, shared.Training.DStepsPerGStep), Is.EqualTo((true, 64, 1)),
                    "the shared embedding takes dim_z as its size when the model has none, as the reference");
        var hier = cells[5].Config;
        Assert.That((hier.Model.Hierarchical, hier.Model.SharedEmbedding, hier.Training.GOrtho, hier.Training.DStepsPerGStep), Is.EqualTo((true, true, 1e-4, 3)));
        Assert.That(cells[4].Label, Is.EqualTo("hier=true ortho=1e-4 d_steps=1"));
    }

    [Test]
    public void EachSeedSetsWeightsLatentsAndDataOrderAsTrainDoes()
    {
        var cell = new SweepSpec().Cells()[0];
        var seeded = cell.ForSeed(7);
        Assert.That((seeded.Training.Seed, seeded.ModelSeed, seeded.DataSeed), Is.EqualTo((7UL, 7UL, 8UL)));
        Assert.That(cell.RunName(7), Is.EqualTo("cell00-seed7"));
    }

    [Test]
    public void TheJsonRoundTripsAndAcceptsNumbersAndBooleans()
    {
        var preset = SweepPresets.Table1("fashion-mnist");
        var back = SweepSpec.FromJson(preset.ToJson(), "test");
        Assert.That(back.ToJson(), Is.EqualTo(preset.ToJson()));
        Assert.That(back.Cells().Select(c => c.Label), Is.EqualTo(preset.Cells().Select(c => c.Label)));
        Assert.That(back.Base.Data, Is.EqualTo("fashion-mnist"));

        var written = SweepSpec.FromJson("""
            { "name": "mine", "base": { "Data": "synthetic", "Training": { "Steps": 5 } },
              // comments and trailing commas are fine
              "grid": { "batch": [8, 16], "shared": [false, true], },
              "seeds": [3], "truncations": ["none", 0.5] }
            """, "mine.json");
        Assert.That(written.Cells().Select(c => c.Label), Is.EqualTo(new[] { "batch=8 shared=false", "batch=8 shared=true", "batch=16 shared=false", "batch=16 shared=true" }));
        Assert.That(written.Base.Training.Steps, Is.EqualTo(5));
        Assert.That(written.Base.Training.GLearningRate, Is.EqualTo(new TrainingOptions().GLearningRate), "fields left out keep the run configuration's defaults");
        Assert.That(written.Thresholds(), Is.EqualTo(new double?[] { null, 0.5 }));
    }

    [Test]
    public void MistakesAreNamed()
    {
        Assert.That(() => new SweepSpec { Grid = [new("width", ["2"])] }.Cells(), Throws.ArgumentException.With.Message.Contains("width").And.Message.Contains("batch"));
        Assert.That(() => new SweepSpec { Grid = [new("batch", ["eight"])] }.Cells(), Throws.ArgumentException.With.Message.Contains("eight"));
        Assert.That(() => new SweepSpec { Rows = [[new("batch", ["8", "16"])]] }.Cells(), Throws.ArgumentException.With.Message.Contains("one value per axis"));
        Assert.That(() => new SweepSpec { Grid = [new("batch", ["0"])] }.Cells(), Throws.ArgumentException.With.Message.Contains("cell 0 (batch=0)"));
        Assert.That(() => new SweepSpec { Seeds = [1, 1] }.Validate(), Throws.ArgumentException.With.Message.Contains("repeat"));
        Assert.That(() => new SweepSpec { Baseline = 2 }.Validate(), Throws.ArgumentException.With.Message.Contains("baseline"));
        Assert.That(() => new SweepSpec { Truncations = ["-1"] }.Validate(), Throws.ArgumentException);
        Assert.That(() => SweepSpec.ParseAxis("batch"), Throws.ArgumentException.With.Message.Contains("axis=value1,value2"));
        Assert.That(SweepSpec.ParseAxis("Batch=8, 16"), Is.EqualTo(new SweepAxisValues("batch", ["8", "16"])).Using<SweepAxisValues>((a, b) => a.Axis == b.Axis && a.Values.SequenceEqual(b.Values)));
    }

    [Test]
    public void TheTable1PresetIsThePapersCumulativeRows()
    {
        var preset = SweepPresets.Table1().Validate();
        var cells = preset.Cells();
        Assert.That(cells.Select(c => c.Config.Training.BatchSize), Is.EqualTo(new[] { 16, 32, 64, 128, 128, 128, 128, 128 }), "batch ×1, ×2, ×4, ×8");
        Assert.That(cells.Select(c => c.Config.Model.Ch), Is.EqualTo(new[] { 16, 16, 16, 16, 24, 24, 24, 24 }), "width ×1.5");
        Assert.That(cells.Select(c => c.Config.Model.SharedEmbedding), Is.EqualTo(new[] { false, false, false, false, false, true, true, true }));
        Assert.That(cells.Select(c => c.Config.Model.Hierarchical), Is.EqualTo(new[] { false, false, false, false, false, false, true, true }));
        Assert.That(cells.Select(c => c.Config.Training.GOrtho), Is.EqualTo(new[] { 0, 0, 0, 0, 0, 0, 0, 1e-4 }));
        Assert.That(preset.Seeds, Has.Count.EqualTo(3));
    }

    [Test]
    public void AnAxisCanBeAdded()
    {
        SweepAxes.Register(new SweepAxis("test_eps", "the batch-norm epsilon (a test axis)", (c, v) => c with { Model = c.Model with { BnEps = double.Parse(v, System.Globalization.CultureInfo.InvariantCulture) } }));
        var cells = new SweepSpec { Grid = [new("test_eps", ["1e-3"])] }.Cells();
        Assert.That(cells[0].Config.Model.BnEps, Is.EqualTo(1e-3));
    }
}
