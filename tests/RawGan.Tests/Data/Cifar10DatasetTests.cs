using RawGan.Model.Data;
using RawGan.Tests.IO;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>CIFAR-10 binary batches generated here: record layout, scaling, batch boundaries, class names, errors.</summary>
public class Cifar10DatasetTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public void ReadsRecordsAcrossBatchFiles()
    {
        var rng = TestRng.Fresh();
        int[] counts = [rng.Int(1, 4), rng.Int(1, 4), rng.Int(1, 4)];
        var records = new List<byte[]>();
        var paths = new List<string>();
        for (int b = 0; b < counts.Length; b++)
        {
            var batch = Enumerable.Range(0, counts[b]).Select(_ => Record(rng, (byte)rng.Int(0, 10))).ToArray();
            records.AddRange(batch);
            paths.Add(_folder.File($"batch{b}.bin"));
            File.WriteAllBytes(paths[^1], batch.SelectMany(r => r).ToArray());
        }

        var cifar = Cifar10Dataset.FromFiles(paths);

        Assert.That((cifar.Count, cifar.Channels, cifar.Height, cifar.Width, cifar.NumClasses), Is.EqualTo((counts.Sum(), 3, 32, 32, 10)));
        Assert.That(cifar.ClassNames, Is.EqualTo(Cifar10Dataset.StandardClassNames));
        var sample = new float[3 * 32 * 32];
        for (int i = 0; i < records.Count; i++)
        {
            Assert.That(cifar.Read(i, sample), Is.EqualTo(records[i][0]), $"label of record {i}; {rng}");
            // The file is already channel-major: R plane, G plane, B plane.
            var expected = records[i][1..].Select(v => (float)(v / 127.5 - 1)).ToArray();
            Assert.That(sample, Is.EqualTo(expected), $"pixels of record {i}; {rng}");
        }
    }

    [Test]
    public void LoadsTheTrainingSplitFromTheArchiveFolderWithItsClassNames()
    {
        var rng = TestRng.Fresh();
        var nested = Path.Combine(_folder.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(nested);
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(nested, $"data_batch_{b}.bin"), Record(rng, (byte)(b * 2 - 1)));
        File.WriteAllBytes(Path.Combine(nested, "test_batch.bin"), [.. Record(rng, 0), .. Record(rng, 1)]);
        File.WriteAllLines(Path.Combine(nested, "batches.meta.txt"), ["a0", "b1", "c2", "d3", "e4", "f5", "g6", "h7", "i8", "j9", "", ""]);

        var train = Cifar10Dataset.Load(_folder.Path);
        var test = Cifar10Dataset.Load(_folder.Path, train: false);

        Assert.That(train.Count, Is.EqualTo(5));
        Assert.That(test.Count, Is.EqualTo(2));
        Assert.That(train.ClassNames, Is.EqualTo(new[] { "a0", "b1", "c2", "d3", "e4", "f5", "g6", "h7", "i8", "j9" }));
        var sample = new float[3072];
        Assert.That(Enumerable.Range(0, 5).Select(i => train.Read(i, sample)), Is.EqualTo(new[] { 1, 3, 5, 7, 9 }), "batches in order 1..5");
    }

    [Test]
    public void ATruncatedBatchIsNamed()
    {
        var path = _folder.File("data_batch_1.bin");
        File.WriteAllBytes(path, [.. Record(TestRng.Fresh(), 1), .. new byte[100]]);
        var e = Assert.Throws<DataFormatException>(() => Cifar10Dataset.FromFiles([path]));
        Assert.That(e!.Message, Does.StartWith(path + ": 3173 bytes is not a whole number of 3073-byte"));
    }

    [Test]
    public void ALabelOutsideTheClassesIsNamed()
    {
        var rng = TestRng.Fresh();
        var path = _folder.File("test_batch.bin");
        File.WriteAllBytes(path, [.. Record(rng, 2), .. Record(rng, 10)]);
        var e = Assert.Throws<DataFormatException>(() => Cifar10Dataset.FromFiles([path]));
        Assert.That(e!.Message, Does.StartWith(path).And.Contain("record 1 has label 10"));
    }

    [Test]
    public void MissingBatchesAreListed()
    {
        File.WriteAllBytes(_folder.File("data_batch_1.bin"), Record(TestRng.Fresh(), 0));
        var e = Assert.Throws<DataFormatException>(() => Cifar10Dataset.Load(_folder.Path));
        Assert.That(e!.Message, Does.Contain("data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin"));
    }

    private static byte[] Record(TestRng rng, byte label) => [label, .. IdxFileTests.RandomBytes(rng, 3072)];
}
