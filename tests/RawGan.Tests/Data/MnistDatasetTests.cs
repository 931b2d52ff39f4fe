using RawGan.Model.Data;
using RawGan.Tests.IO;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>MNIST from generated IDX pairs: scaling to [−1, 1], centred padding with −1, labels, and errors.</summary>
public class MnistDatasetTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [TestCase(false, MnistSplit.Train)]
    [TestCase(true, MnistSplit.Test)]
    public void PadsTo32WithMinusOneAndScalesPixels(bool gzip, MnistSplit split)
    {
        var rng = TestRng.Fresh();
        int count = rng.Int(1, 5);
        var pixels = IdxFileTests.RandomBytes(rng, count * 28 * 28);
        var labels = Enumerable.Range(0, count).Select(_ => (byte)rng.Int(0, 10)).ToArray();
        var (imagesName, labelsName) = MnistDataset.FileNames(split);
        IdxWriter.WriteMnistPair(_folder.Path, imagesName, labelsName, pixels, labels, 28, 28, gzip);

        var mnist = MnistDataset.Load(_folder.Path, split);

        Assert.That((mnist.Count, mnist.Channels, mnist.Height, mnist.Width, mnist.NumClasses), Is.EqualTo((count, 1, 32, 32, 10)));
        Assert.That(mnist.ClassNames, Is.EqualTo(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" }));
        var sample = new float[32 * 32];
        for (int i = 0; i < count; i++)
        {
            Assert.That(mnist.Read(i, sample), Is.EqualTo(labels[i]), rng.ToString());
            for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                bool inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                double expected = inside ? pixels[i * 784 + (y - 2) * 28 + (x - 2)] / 255.0 * 2 - 1 : -1;
                Assert.That(sample[y * 32 + x], Is.EqualTo(expected).Within(1e-6), $"sample {i} ({x}, {y}); {rng}");
            }
        }
    }

    [Test]
    public void ScalesTheExtremesExactly()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "i", "l", [0, 255, 128, 0], [3], 2, 2, gzip: false);
        var mnist = MnistDataset.FromFiles(_folder.File("i"), _folder.File("l"), resolution: 2);
        var sample = new float[4];
        mnist.Read(0, sample);
        Assert.That(sample, Is.EqualTo(new[] { -1f, 1f, (float)(128 / 127.5 - 1), -1f }));
    }

    [Test]
    public void PadsAnOddMarginWithTheExtraRowAtTheBottomRight()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "i", "l", [255, 255, 255, 255], [0], 2, 2, gzip: false);
        var mnist = MnistDataset.FromFiles(_folder.File("i"), _folder.File("l"), resolution: 5);
        var sample = new float[25];
        mnist.Read(0, sample);
        var bright = Enumerable.Range(0, 25).Where(i => sample[i] == 1f).ToArray();
        Assert.That(bright, Is.EqualTo(new[] { 6, 7, 11, 12 }), "(5 − 2) / 2 = 1 pixel above and left, 2 below and right");
    }

    [Test]
    public void RejectsLabelsThatAreNotDigits()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "i", "l", new byte[8], [4, 10], 2, 2, gzip: false);
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.FromFiles(_folder.File("i"), _folder.File("l")));
        Assert.That(e!.Message, Does.StartWith(_folder.File("l")).And.Contain("label 10 of sample 1"));
    }

    [Test]
    public void RejectsALabelCountThatDiffersFromTheImageCount()
    {
        IdxWriter.Write(_folder.File("i"), [3, 2, 2], new byte[12]);
        IdxWriter.Write(_folder.File("l"), [2], new byte[2]);
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.FromFiles(_folder.File("i"), _folder.File("l")));
        Assert.That(e!.Message, Does.StartWith(_folder.File("l")).And.Contain("2 labels").And.Contain("3 images"));
    }

    [Test]
    public void RejectsImagesLargerThanThePaddedSize()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "i", "l", new byte[33 * 33], [1], 33, 33, gzip: false);
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.FromFiles(_folder.File("i"), _folder.File("l")));
        Assert.That(e!.Message, Does.StartWith(_folder.File("i")).And.Contain("33×33"));
    }

    [Test]
    public void ATruncatedImagesFileIsNamed()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", new byte[2 * 784], [1, 2], 28, 28, gzip: false);
        var images = _folder.File("train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1000]);
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(_folder.Path, MnistSplit.Train));
        Assert.That(e!.Message, Does.StartWith(images + ": truncated"));
    }

    [Test]
    public void AMissingFileNamesBothNamesItLookedFor()
    {
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(_folder.Path, MnistSplit.Test));
        Assert.That(e!.Message, Does.Contain("t10k-images-idx3-ubyte and t10k-images-idx3-ubyte.gz"));
    }

    [Test]
    public void ReadChecksIndexAndBufferSize()
    {
        IdxWriter.WriteMnistPair(_folder.Path, "i", "l", new byte[4], [1], 2, 2, gzip: false);
        var mnist = MnistDataset.FromFiles(_folder.File("i"), _folder.File("l"));
        Assert.Throws<ArgumentOutOfRangeException>(() => mnist.Read(1, new float[32 * 32]));
        Assert.Throws<ArgumentException>(() => mnist.Read(0, new float[28 * 28]));
    }
}
