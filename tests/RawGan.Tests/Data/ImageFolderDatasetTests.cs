using RawGan.Model.Data;
using RawGan.Tests.IO;
using SkiaSharp;

namespace RawGan.Tests.Data;

/// <summary>Image folders of generated PNGs: class discovery, centre crop, resize, RGB and grayscale, errors.</summary>
public class ImageFolderDatasetTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public void ClassesAreTheSubfoldersInOrdinalOrderAndSamplesFollowThem()
    {
        WriteStripes("zebra/b.png", 12, 12, SKColors.Red);
        WriteStripes("zebra/a.PNG", 12, 12, SKColors.Red);
        WriteStripes("Ant/x.png", 12, 12, SKColors.Red);
        File.WriteAllText(_folder.File("zebra/notes.txt"), "not an image");

        var data = new ImageFolderDataset(_folder.Path, resolution: 8);

        Assert.That(data.ClassNames, Is.EqualTo(new[] { "Ant", "zebra" }));
        Assert.That((data.Count, data.Channels, data.Height, data.Width, data.NumClasses), Is.EqualTo((3, 3, 8, 8, 2)));
        Assert.That(Enumerable.Range(0, 3).Select(i => Path.GetFileName(data.FileOf(i))), Is.EqualTo(new[] { "x.png", "a.PNG", "b.png" }));
        var sample = new float[3 * 64];
        Assert.That(Enumerable.Range(0, 3).Select(i => data.Read(i, sample)), Is.EqualTo(new[] { 0, 1, 1 }));
    }

    [TestCase(30, 10, 5)]
    [TestCase(10, 30, 5)]
    [TestCase(90, 30, 16)]
    [TestCase(300, 100, 7)]
    public void KeepsTheCentreSquareOfAWideOrTallImage(int width, int height, int resolution)
    {
        // Three bands across the long side: red, green, blue. The centred square is the green band exactly.
        WriteStripes("c/img.png", width, height, SKColors.Red, SKColors.Lime, SKColors.Blue);
        var data = new ImageFolderDataset(_folder.Path, resolution);
        var sample = new float[3 * resolution * resolution];
        data.Read(0, sample);
        AssertPlanes(sample, resolution * resolution, [-1f, 1f, -1f], 0.05f);
    }

    [Test]
    public void EnlargesASmallImage()
    {
        WriteStripes("c/tiny.png", 4, 4, new SKColor(200, 100, 50));
        var data = new ImageFolderDataset(_folder.Path, resolution: 16);
        var sample = new float[3 * 256];
        data.Read(0, sample);
        AssertPlanes(sample, 256, [(float)(200 / 127.5 - 1), (float)(100 / 127.5 - 1), (float)(50 / 127.5 - 1)], 0.01f);
    }

    [Test]
    public void GrayscaleIsTheLumaOfTheColour()
    {
        WriteStripes("c/green.png", 20, 20, new SKColor(0, 255, 0));
        var data = new ImageFolderDataset(_folder.Path, resolution: 6, channels: 1);
        var sample = new float[36];
        data.Read(0, sample);
        // 0.587 · 255 = 149.7: the luma byte is 150.
        AssertPlanes(sample, 36, [(float)(150 / 127.5 - 1)], 1e-6f);
    }

    [Test]
    public void ReadsAgainFromTheCacheWithTheSameResult()
    {
        WriteStripes("c/a.png", 17, 23, SKColors.Orange, SKColors.Purple);
        var cached = new ImageFolderDataset(_folder.Path, resolution: 9);
        var uncached = new ImageFolderDataset(_folder.Path, resolution: 9, cache: false);
        float[] first = new float[243], second = new float[243], fresh = new float[243];
        cached.Read(0, first);
        File.Delete(cached.FileOf(0));
        cached.Read(0, second);
        Assert.That(second, Is.EqualTo(first), "the second read comes from memory");
        Assert.Throws<DataFormatException>(() => uncached.Read(0, fresh), "without the cache the file is read again");
    }

    [Test]
    public void AnImageThatBreaksAfterOpeningIsNamedWhenRead()
    {
        WriteStripes("c/good.png", 8, 8, SKColors.Red);
        var data = new ImageFolderDataset(_folder.Path, resolution: 4, cache: false);
        File.WriteAllBytes(data.FileOf(0), File.ReadAllBytes(data.FileOf(0))[..20]);
        var e = Assert.Throws<DataFormatException>(() => data.Read(0, new float[48]));
        Assert.That(e!.Message, Does.StartWith(data.FileOf(0) + ": cannot be decoded"));
    }

    [Test]
    public void UndecodableFilesAreListedWhenTheDataSetOpens()
    {
        WriteStripes("a/good.png", 8, 8, SKColors.Red);
        WriteStripes("b/good.png", 8, 8, SKColors.Red);
        File.WriteAllBytes(_folder.File("a/truncated.png"), File.ReadAllBytes(_folder.File("a/good.png"))[..20]);
        File.WriteAllText(_folder.File("b/text.jpg"), "not a JPEG");
        var e = Assert.Throws<DataFormatException>(() => _ = new ImageFolderDataset(_folder.Path, resolution: 4));
        Assert.That(e!.Message, Does.Contain(Path.Combine("a", "truncated.png")).And.Contain(Path.Combine("b", "text.jpg")).And.Contain("2 of 4"));
        Assert.That(e.Message, Does.Contain("--skip-bad-images"), "says what to do");
        Assert.That(e.Message, Does.Not.Contain("good.png"));
    }

    [Test]
    public void UndecodableFilesCanBeLeftOut()
    {
        WriteStripes("a/good.png", 8, 8, SKColors.Red);
        WriteStripes("b/good.png", 8, 8, SKColors.Lime);
        File.WriteAllText(_folder.File("b/text.png"), "not a PNG");
        var warnings = new List<string>();
        var data = new ImageFolderDataset(_folder.Path, resolution: 4, skipBadImages: true, log: warnings.Add);
        Assert.That(data.Count, Is.EqualTo(2));
        Assert.That(Enumerable.Range(0, 2).Select(i => Path.GetFileName(data.FileOf(i))), Is.EqualTo(new[] { "good.png", "good.png" }));
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain(Path.Combine("b", "text.png")));
    }

    [Test]
    public void AClassFolderWithoutImagesIsNamed()
    {
        WriteStripes("a/x.png", 8, 8, SKColors.Red);
        Directory.CreateDirectory(_folder.File("b"));
        var e = Assert.Throws<DataFormatException>(() => _ = new ImageFolderDataset(_folder.Path, 4));
        Assert.That(e!.SourcePath, Is.EqualTo(_folder.File("b")));
    }

    [Test]
    public void AFolderWithoutClassFoldersIsNamed()
    {
        var e = Assert.Throws<DataFormatException>(() => _ = new ImageFolderDataset(_folder.Path, 4));
        Assert.That(e!.Message, Does.StartWith(_folder.Path).And.Contain("no class subfolders"));
    }

    private static void AssertPlanes(float[] sample, int plane, float[] levels, float tolerance)
    {
        for (int c = 0; c < levels.Length; c++)
        {
            var values = sample.AsSpan(c * plane, plane).ToArray();
            Assert.That(values, Has.All.EqualTo(levels[c]).Within(tolerance), $"channel {c}");
        }
    }

    /// <summary>A PNG split into equal bands along its longer side, one per colour.</summary>
    private void WriteStripes(string relative, int width, int height, params SKColor[] colours)
    {
        var path = _folder.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        bool wide = width >= height;
        int length = wide ? width : height;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            bitmap.SetPixel(x, y, colours[(wide ? x : y) * colours.Length / length]);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
