using RawGan.Model.Data;
using RawGan.Tests.IO;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>IDX parsing, plain and gzip, and the clear errors a corrupt or truncated file must give.</summary>
public class IdxFileTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [TestCase(false)]
    [TestCase(true)]
    public void ReadsDimensionsAndDataOfAFile(bool gzip)
    {
        var rng = TestRng.Fresh();
        int[] dims = [rng.Int(1, 6), rng.Int(1, 9), rng.Int(1, 9)];
        var data = RandomBytes(rng, dims[0] * dims[1] * dims[2]);
        var path = _folder.File(gzip ? "x.gz" : "x");
        IdxWriter.Write(path, dims, data, gzip);

        var array = IdxFile.Read(path, expectedRank: 3);

        Assert.That(array.Dims, Is.EqualTo(dims), rng.ToString());
        Assert.That(array.Data, Is.EqualTo(data), rng.ToString());
    }

    [Test]
    public void RecognisesGzipByContentNotByName()
    {
        var path = _folder.File("labels-without-suffix");
        IdxWriter.Write(path, [3], [7, 8, 9], gzip: true);
        Assert.That(IdxFile.Read(path, 1).Data, Is.EqualTo(new byte[] { 7, 8, 9 }));
    }

    [Test]
    public void RejectsAMagicNumberThatDoesNotStartWithZeros() =>
        AssertFails(Raw(b => b[0] = 0x12), "magic number");

    [Test]
    public void RejectsAnElementTypeOtherThanUnsignedByte() =>
        AssertFails(Raw(b => b[2] = 0x0D), "element type 0x0D");

    [Test]
    public void RejectsTheWrongNumberOfDimensions() =>
        AssertFails(IdxWriter.Bytes([2, 3], new byte[6]), "2 dimensions, expected 3");

    [Test]
    public void RejectsATruncatedHeader() =>
        AssertFails(IdxWriter.Bytes([2, 3, 4], new byte[24])[..10], "truncated");

    [Test]
    public void RejectsTruncatedData() =>
        AssertFails(IdxWriter.Bytes([2, 3, 4], new byte[24])[..^5], "truncated: dimensions 2 × 3 × 4 need 24 data bytes, the file has 19");

    [Test]
    public void RejectsTrailingBytes() =>
        AssertFails([.. IdxWriter.Bytes([2, 3, 4], new byte[24]), 1, 2], "2 unexpected bytes");

    [Test]
    public void RejectsAZeroDimension() =>
        AssertFails(IdxWriter.Bytes([2, 0, 4], []), "dimension 1 has size 0");

    [Test]
    public void RejectsATruncatedGzipStream()
    {
        var gz = IdxWriter.Gzip(IdxWriter.Bytes([50, 6, 7], RandomBytes(TestRng.Fresh(), 50 * 6 * 7)));
        // Whether the decompressor notices the missing end itself or the IDX check sees too few bytes, the
        // error names the file and says it is truncated.
        AssertFails(gz[..(gz.Length / 2)], "truncated");
    }

    [Test]
    public void RejectsACorruptGzipStream()
    {
        var gz = IdxWriter.Gzip(IdxWriter.Bytes([4, 5, 6], new byte[120]));
        for (int i = 10; i < gz.Length - 8; i++) gz[i] = 0xFF;
        AssertFails(gz, "corrupt or truncated gzip stream");
    }

    [Test]
    public void AMissingFileIsNamed()
    {
        var path = _folder.File("absent");
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, 1));
        Assert.That(e!.Message, Does.StartWith(path + ": ").And.Contain("not found"));
    }

    private static byte[] Raw(Action<byte[]> corrupt)
    {
        var bytes = IdxWriter.Bytes([2, 3, 4], new byte[24]);
        corrupt(bytes);
        return bytes;
    }

    private void AssertFails(byte[] bytes, string problem)
    {
        var path = _folder.File("bad-idx3-ubyte");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path, expectedRank: 3));
        Assert.That(e!.Message, Does.StartWith(path + ": ").And.Contain(problem));
        Assert.That(e.SourcePath, Is.EqualTo(path));
    }

    internal static byte[] RandomBytes(TestRng rng, int n)
    {
        var bytes = new byte[n];
        for (int i = 0; i < n; i++) bytes[i] = (byte)rng.Int(0, 256);
        return bytes;
    }
}
