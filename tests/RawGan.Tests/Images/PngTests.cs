using RawGan.Engine;
using RawGan.Model.Images;
using RawGan.Tests.IO;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Images;

/// <summary>PNG grids and sheets written and read back: layout, padding, value mapping, channels, atomic writes.</summary>
public class PngTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [TestCase(1, DType.Float32)]
    [TestCase(3, DType.Float32)]
    [TestCase(3, DType.Float64)]
    public void AGridReadsBackWithEveryPixelInItsCell(int channels, DType dtype)
    {
        var rng = TestRng.Fresh();
        int n = rng.Int(1, 8), h = rng.Int(1, 7), w = rng.Int(1, 7), columns = rng.Int(1, 5), padding = rng.Int(0, 3);
        var (values, bytes) = Pixels(rng, n * channels * h * w);
        using var images = TestRng.Make(values, [n, channels, h, w], dtype);
        var path = _folder.File("grid.png");

        Png.SaveGrid(path, images, columns, padding, padValue: -1f);
        var read = Png.Read(path);

        int shownColumns = Math.Min(columns, n), rows = (n + columns - 1) / columns;
        Assert.That((read.Width, read.Height, read.Channels), Is.EqualTo((shownColumns * (w + padding) + padding, rows * (h + padding) + padding, channels)), rng.ToString());
        var expected = ExpectedGrid(bytes, n, channels, h, w, rows, shownColumns, padding, pad: 0);
        Assert.That(read.Pixels, Is.EqualTo(expected), rng.ToString());
    }

    [Test]
    public void ASheetHasExactlyTheRowsAndColumnsAskedForWithEmptyCellsPadded()
    {
        var rng = TestRng.Fresh();
        var (values, bytes) = Pixels(rng, 4 * 3 * 2 * 2);
        using var images = TestRng.Make(values, [4, 3, 2, 2], DType.Float32);
        var path = _folder.File("sheet.png");

        Png.SaveSheet(path, images, rows: 2, columns: 3, padding: 1, padValue: 1f);
        var read = Png.Read(path);

        Assert.That((read.Width, read.Height), Is.EqualTo((3 * 3 + 1, 2 * 3 + 1)));
        Assert.That(read.Pixels, Is.EqualTo(ExpectedGrid(bytes, 4, 3, 2, 2, 2, 3, 1, pad: 255)), rng.ToString());
        Assert.Throws<ArgumentException>(() => Png.SaveSheet(path, images, rows: 1, columns: 3));
    }

    [Test]
    public void ValuesAreClampedAndRounded()
    {
        float[] values = [-5f, -1f, 1f, 7f, float.NaN, 0f, float.PositiveInfinity, -1f + 1f / 255f];
        using var images = Tensor.FromArray(values, [1, 1, 1, values.Length]);
        var path = _folder.File("clamp.png");
        Png.SaveGrid(path, images, columns: 1, padding: 0);
        // 0 maps to 127.5, rounded half up to 128; −1 + 1/255 maps to 0.5, also rounded up.
        Assert.That(Png.Read(path).Pixels, Is.EqualTo(new byte[] { 0, 0, 255, 255, 0, 128, 255, 1 }));
    }

    [Test]
    public void WritingReplacesTheFileAndLeavesNoTemporaryFile()
    {
        var path = _folder.File("out.png");
        File.WriteAllText(path, "an older file");
        using var images = Tensor.Full([2, 1, 3, 3], 1.0);
        Png.SaveGrid(path, images, columns: 2);
        Assert.That(_folder.Entries(), Is.EqualTo(new[] { "out.png" }));
        Assert.That(Png.Read(path).Pixels, Has.All.EqualTo(255));
    }

    [Test]
    public void ReadingACorruptFileNamesIt()
    {
        var path = _folder.File("bad.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Png.Read(path));
        Assert.That(e!.Message, Does.StartWith(path));
    }

    [Test]
    public void RejectsImagesThatAreNotGrayOrRgb()
    {
        using var images = Tensor.Zeros([1, 2, 4, 4]);
        Assert.Throws<ArgumentException>(() => Png.SaveGrid(_folder.File("x.png"), images, 1));
        using var flat = Tensor.Zeros([4, 4]);
        Assert.Throws<ArgumentException>(() => Png.SaveGrid(_folder.File("x.png"), flat, 1));
    }

    /// <summary>
    /// Random values whose byte is unambiguous: byte k plus an offset well inside (−0.5, 0.5) of a step, and
    /// some out-of-range values that must clamp.
    /// </summary>
    private static (double[] Values, byte[] Bytes) Pixels(TestRng rng, int count)
    {
        var values = new double[count];
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            if (rng.Int(0, 10) == 0)
            {
                bool high = rng.Int(0, 2) == 0;
                values[i] = high ? rng.Uniform(1, 3) : rng.Uniform(-3, -1);
                bytes[i] = high ? (byte)255 : (byte)0;
                continue;
            }
            int k = rng.Int(0, 256);
            values[i] = Math.Clamp((k + rng.Uniform(-0.4, 0.4)) / 127.5 - 1, -1, 1);
            bytes[i] = (byte)k;
        }
        return (values, bytes);
    }

    /// <summary>The grid as rows of interleaved channels, built from the expected bytes of each image.</summary>
    private static byte[] ExpectedGrid(byte[] bytes, int n, int channels, int h, int w, int rows, int columns, int padding, byte pad)
    {
        int width = columns * (w + padding) + padding, height = rows * (h + padding) + padding;
        var grid = Enumerable.Repeat(pad, width * height * channels).ToArray();
        for (int i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int gy = padding + (i / columns) * (h + padding) + y, gx = padding + (i % columns) * (w + padding) + x;
            grid[(gy * width + gx) * channels + c] = bytes[((i * channels + c) * h + y) * w + x];
        }
        return grid;
    }
}
