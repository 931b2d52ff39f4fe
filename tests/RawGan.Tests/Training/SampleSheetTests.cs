using RawGan.Engine;
using RawGan.Model.BigGan;
using RawGan.Model.Training;
using RawGan.Tests.IO;

namespace RawGan.Tests.Training;

/// <summary>
/// The training run's sample sheet: a bounded number of class rows (ImageNet's 1000 classes × 8 columns drawn in
/// one batch ran a CPU ImageNet128 run out of memory after its first step), drawn a chunk of images at a time.
/// </summary>
public class SampleSheetTests
{
    [TestCase(10, 10, new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [TestCase(1000, 10, new[] { 0, 100, 200, 300, 400, 500, 600, 700, 800, 900 })]
    [TestCase(3, 10, new[] { 0, 1, 2 })]
    [TestCase(7, 3, new[] { 0, 2, 4 })]
    [TestCase(1, 1, new[] { 0 })]
    public void SheetClassesAreEvenlySpaced(int numClasses, int count, int[] expected) =>
        Assert.That(RunConfig.EvenlySpacedClasses(numClasses, count), Is.EqualTo(expected));

    [Test]
    public void ASheetNeedsAClassRow() =>
        Assert.That(() => RunConfig.EvenlySpacedClasses(10, 0), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void AThousandClassModelDrawsTenRows()
    {
        var config = new RunConfig { Model = BigGanConfig.ImageNet128, SamplesPerClass = 3 };
        var (z, labels) = TrainingSession.SampleLatents(config, Device.Cpu);
        Assert.That(z.Shape, Is.EqualTo(new Shape(30, config.Model.EffectiveDimZ)));
        Assert.That(labels.ToArray<int>(), Is.EqualTo(new[] { 0, 100, 200, 300, 400, 500, 600, 700, 800, 900 }.SelectMany(c => Enumerable.Repeat(c, 3))));
    }

    [Test]
    public void DrawingInChunksGivesTheImagesOfOneBatch()
    {
        // Float64 so that a different batch size (a different GEMM blocking) changes nothing above rounding.
        var model = BigGanConfig.Mnist32Small with { Ch = 8, DimZ = 16, SharedDim = 8, GAttention = [], DAttention = [], DType = DType.Float64 };
        var config = new RunConfig { Model = model, SamplesPerClass = 2, SampleClasses = 3 };
        var g = new BigGanGenerator(model, seed: 7);
        var (z, labels) = TrainingSession.SampleLatents(config, Device.Cpu);
        using var folder = new TempFolder();
        double[] Draw(int chunk)
        {
            double[]? seen = null;
            TrainingSession.WriteSampleSheet(Path.Combine(folder.Path, $"chunk{chunk}.png"), g, z, labels, rows: 3, columns: 2,
                                             images => seen = images.ToDoubleArray(), chunk: chunk);
            Assert.That(File.Exists(Path.Combine(folder.Path, $"chunk{chunk}.png")), Is.True);
            return seen!;
        }
        var whole = Draw(6);
        Assert.That(whole, Has.Length.EqualTo(6 * 32 * 32));
        foreach (int chunk in new[] { 4, 1 })
            Assert.That(Draw(chunk), Is.EqualTo(whole).Within(1e-6), $"chunks of {chunk}");
        Assert.That(g.Training, Is.True, "G is back in training mode");
    }
}
