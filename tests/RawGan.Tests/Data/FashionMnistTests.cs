using RawGan.Model.Data;
using RawGan.Tests.IO;

namespace RawGan.Tests.Data;

/// <summary>
/// Fashion-MNIST: where its files are looked for, the loader on synthetic IDX files, the fetch from a Debian
/// package (a local .deb served by a stand-in apt-get), the error without apt, and the real files when the
/// package is installed (CI installs it).
/// </summary>
public class FashionMnistTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    // Two classes' worth of tiny images, labelled 0..9 in turn, in MNIST's file names.
    private static void WriteSplits(string folder, int count = 12, bool gzip = true)
    {
        Directory.CreateDirectory(folder);
        var pixels = Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i * 7 % 256)).ToArray();
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        foreach (var split in new[] { MnistSplit.Train, MnistSplit.Test })
        {
            var (images, labelFile) = MnistDataset.FileNames(split);
            IdxWriter.WriteMnistPair(folder, images, labelFile, pixels, labels, 28, 28, gzip);
        }
    }

    [Test]
    public void LoadsAFolderOfIdxFilesWithTheClothingClassNames()
    {
        WriteSplits(_folder.Path);
        var data = FashionMnistDataset.LoadOrFetch(MnistSplit.Test, _folder.Path);
        Assert.That(data.Count, Is.EqualTo(12));
        Assert.That((data.Channels, data.Height, data.Width), Is.EqualTo((1, 32, 32)));
        Assert.That(data.ClassNames, Has.Count.EqualTo(10));
        Assert.That(data.ClassNames[0], Is.EqualTo("T-shirt/top"));
        Assert.That(data.ClassNames[9], Is.EqualTo("Ankle boot"));
        var pixels = new float[32 * 32];
        Assert.That(data.Read(11, pixels), Is.EqualTo(1));
        Assert.That(pixels[0], Is.EqualTo(-1f), "padding is the background");
    }

    [Test]
    [NonParallelizable]
    public void TheDataVariablesSubfolderComesBeforeTheSystemFolder()
    {
        var saved = Environment.GetEnvironmentVariable(MnistFetcher.FolderVariable);
        try
        {
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, _folder.Path);
            Assert.That(FashionMnistDataset.SearchFolders(), Is.EqualTo(new[]
            {
                Path.Combine(_folder.Path, "fashion-mnist"), FashionMnistDataset.SystemFolder, FashionMnistDataset.CacheFolder,
            }));
            WriteSplits(Path.Combine(_folder.Path, "fashion-mnist"));
            Assert.That(FashionMnistDataset.Locate(), Is.EqualTo(Path.Combine(_folder.Path, "fashion-mnist")));
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, null);
            Assert.That(FashionMnistDataset.SearchFolders(), Is.EqualTo(new[] { FashionMnistDataset.SystemFolder, FashionMnistDataset.CacheFolder }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(MnistFetcher.FolderVariable, saved);
        }
    }

    [Test]
    public void CopiesTheFilesOfAnUnpackedPackage()
    {
        var source = _folder.File("tree");
        WriteSplits(source);
        File.WriteAllText(Path.Combine(source, "README"), "not an IDX file");
        var target = _folder.File("cache");
        var copied = FashionMnistFetcher.CopyFiles(source, target);
        Assert.That(copied, Is.EquivalentTo(MnistFetcher.FileNames.Select(n => n + ".gz")));
        Assert.That(MnistFetcher.Missing(target), Is.Empty);
        Assert.That(Directory.GetFiles(target, "*.partial"), Is.Empty);
    }

    [Test]
    [NonParallelizable]
    public void WithoutAptTheErrorSaysWhatToInstallAndWhereFilesGo()
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", _folder.File("no-such-bin"));
        try
        {
            var cache = _folder.File("cache");
            var e = Assert.Throws<FileNotFoundException>(() => FashionMnistFetcher.EnsureFiles(cache));
            Assert.That(e!.Message, Does.Contain(cache).And.Contain("apt-get install dataset-fashion-mnist").And.Contain("apt-get not found"));
            foreach (var name in MnistFetcher.FileNames) Assert.That(e.Message, Does.Contain(name));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Test]
    [NonParallelizable]
    public void FetchesByUnpackingTheDebianPackageThatAptGetDownloads()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/dpkg-deb"))
            Assert.Ignore("Needs dpkg-deb (Debian's dpkg) to build and unpack a package.");
        // A package with the files where Debian's has them, and an apt-get that "downloads" it into the working folder.
        var tree = _folder.File("package");
        WriteSplits(Path.Combine(tree, "usr", "share", "datasets", "fashion-mnist"));
        Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
        File.WriteAllText(Path.Combine(tree, "DEBIAN", "control"),
            "Package: dataset-fashion-mnist\nVersion: 0.1\nArchitecture: all\nMaintainer: tests <tests@localhost>\nDescription: test package\n");
        var deb = _folder.File("dataset-fashion-mnist_0.1_all.deb");
        Assert.That(Run("/usr/bin/dpkg-deb", "--build", "--root-owner-group", tree, deb), Is.EqualTo(0), "dpkg-deb --build");
        var bin = _folder.File("bin");
        Directory.CreateDirectory(bin);
        var aptGet = Path.Combine(bin, "apt-get");
        File.WriteAllText(aptGet, $"#!/bin/sh\n[ \"$1\" = download ] && [ \"$2\" = dataset-fashion-mnist ] && cp '{deb}' .\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(aptGet, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", bin + Path.PathSeparator + path);
        try
        {
            var cache = _folder.File("cache");
            var log = new List<string>();
            var data = FashionMnistDataset.LoadOrFetch(MnistSplit.Train, cache, log: log.Add);
            Assert.That(data.Count, Is.EqualTo(12));
            Assert.That(log, Has.Some.Contains("apt-get download dataset-fashion-mnist"));
            Assert.That(log.Last(), Does.Contain("saved to"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Test]
    public void TheRealFilesHoldSixtyAndTenThousandBalancedImages()
    {
        if (MnistFetcher.Missing(FashionMnistDataset.SystemFolder).Count > 0)
            Assert.Ignore($"Needs Debian's dataset-fashion-mnist ({FashionMnistDataset.SystemFolder}); CI installs it.");
        foreach (var (split, count) in new[] { (MnistSplit.Train, 60_000), (MnistSplit.Test, 10_000) })
        {
            var data = FashionMnistDataset.LoadOrFetch(split, FashionMnistDataset.SystemFolder);
            Assert.That(data.Count, Is.EqualTo(count));
            var perClass = new int[10];
            var pixels = new float[32 * 32];
            float lo = float.MaxValue, hi = float.MinValue;
            for (int i = 0; i < data.Count; i++)
            {
                perClass[data.Read(i, pixels)]++;
                if (i % 1000 != 0) continue;
                lo = Math.Min(lo, pixels.Min());
                hi = Math.Max(hi, pixels.Max());
            }
            Assert.That(perClass, Is.All.EqualTo(count / 10), $"{split}: every class has a tenth of the images");
            Assert.That((lo, hi), Is.EqualTo((-1f, 1f)), $"{split}: pixels span [-1, 1]");
        }
    }

    private static int Run(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
