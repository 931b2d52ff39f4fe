using System.Text;
using RawGan.Engine.IO;

namespace RawGan.Tests.IO;

/// <summary>Every malformed input must raise <see cref="SafeTensorsException"/> naming the file and the problem.</summary>
public class SafeTensorsMalformedTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    /// <summary>Raw file bytes: the header length (declared, or the real one), the header JSON and the data.</summary>
    private static byte[] Raw(string json, byte[]? data = null, ulong? declaredLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new List<byte>();
        bytes.AddRange(BitConverter.GetBytes(declaredLength ?? (ulong)header.Length));
        bytes.AddRange(header);
        bytes.AddRange(data ?? []);
        return [.. bytes];
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    /// <summary>Writes the bytes to a file, loads it, and returns the problem the exception names.</summary>
    private string LoadFails(byte[] bytes)
    {
        var path = _folder.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path).Dispose());
        Assert.That(e!.Message, Does.StartWith(path + ": "), "the message names the file");
        Assert.That(e.SourceName, Is.EqualTo(path));
        // The header-only reader validates just as strictly.
        var h = Assert.Throws<SafeTensorsException>(() => SafeTensors.ReadHeader(path));
        Assert.That(h!.Problem, Is.EqualTo(e.Problem));
        return e.Problem;
    }

    [Test]
    public void AFileShorterThanTheLengthFieldIsTruncated() =>
        Assert.That(LoadFails([1, 0, 0]), Does.Contain("truncated"));

    [Test]
    public void AnEmptyFileIsTruncated() =>
        Assert.That(LoadFails([]), Does.Contain("truncated"));

    [Test]
    public void TruncatedTensorDataIsReported()
    {
        var bytes = Raw("{" + Entry("w", "F32", "[4]", 0, 16) + "}", new byte[16]);
        Assert.That(LoadFails(bytes[..^3]), Does.Contain("\"w\"").And.Contain("truncated"));
    }

    [Test]
    public void AHeaderLengthBeyondTheFileIsTruncated() =>
        Assert.That(LoadFails(Raw("{}", declaredLength: 4000)), Does.Contain("4000").And.Contain("truncated"));

    [TestCase(200_000_000UL)]
    [TestCase(ulong.MaxValue)]
    public void AnAbsurdHeaderLengthIsRejectedBeforeAllocating(ulong length) =>
        Assert.That(LoadFails(Raw("{}", declaredLength: length)), Does.Contain(length.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("100 MB"));

    [TestCase("not json")]
    [TestCase("{\"w\": ")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",}}")]
    [TestCase("{} trailing")]
    [TestCase("")]
    public void InvalidJsonIsReported(string json) =>
        Assert.That(LoadFails(Raw(json)), Does.Contain("JSON"));

    [Test]
    public void AHeaderThatIsNotAnObjectIsReported() =>
        Assert.That(LoadFails(Raw("[1, 2]")), Does.Contain("not a JSON object"));

    [TestCase("dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [TestCase("shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}")]
    [TestCase("data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}")]
    public void AMissingFieldIsNamed(string field, string json) =>
        Assert.That(LoadFails(Raw(json, new byte[4])), Does.Contain($"\"w\" has no \"{field}\""));

    [TestCase("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "\"dtype\" must be a string")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", "\"shape\" must be an array")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "\"shape\" holds -1")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "\"shape\" holds 1.5")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,4]}}", "\"shape\" holds 3000000000")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", "two numbers")]
    [TestCase("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"shape\":[1]}}", "field \"shape\" twice")]
    [TestCase("{\"w\":[1]}", "must be an object")]
    [TestCase("{\"__metadata__\":{\"step\":5}}", "\"step\" must be a string")]
    [TestCase("{\"__metadata__\":[]}", "must be an object of strings")]
    [TestCase("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", "key \"a\" twice")]
    [TestCase("{\"__metadata__\":{},\"__metadata__\":{}}", "two \"__metadata__\"")]
    public void AMalformedFieldIsExplained(string json, string problem) =>
        Assert.That(LoadFails(Raw(json, new byte[8])), Does.Contain(problem));

    [Test]
    public void AnUnknownDTypeIsNamed() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F33", "[1]", 0, 4) + "}", new byte[4])),
                    Does.Contain("unknown dtype \"F33\"").And.Contain("\"w\""));

    [TestCase("U16")]
    [TestCase("F16")]
    [TestCase("I64")]
    [TestCase("U8")]
    public void AnUnsupportedDTypeIsNamed(string dtype) =>
        Assert.That(LoadFails(Raw("{" + Entry("w", dtype, "[2]", 0, 16) + "}", new byte[16])),
                    Does.Contain($"dtype {dtype} is not supported").And.Contain("\"w\""));

    [Test]
    public void AShapeThatDisagreesWithItsOffsetsIsReported() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F64", "[2,3]", 0, 40) + "}", new byte[48])),
                    Does.Contain("\"w\"").And.Contain("needs 48 bytes").And.Contain("span 40"));

    [Test]
    public void AHugeShapeIsRejectedBeforeAllocating() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F32", "[2000000000,2000000000,2000000000]", 0, 4) + "}", new byte[4])),
                    Does.Contain("too large"));

    [Test]
    public void AHugeTensorBeyondTheDataIsRejectedBeforeAllocating() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F64", "[1000000000]", 0, 8_000_000_000) + "}", new byte[8])),
                    Does.Contain("beyond the data section of 8 bytes"));

    [Test]
    public void OffsetsOutOfRangeAreReported() =>
        Assert.That(LoadFails(Raw("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 8, 16) + "}", new byte[12])),
                    Does.Contain("\"b\"").And.Contain("beyond the data section of 12 bytes"));

    [Test]
    public void OffsetsThatEndBeforeTheyBeginAreReported() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F32", "[0]", 8, 4) + "}", new byte[8])),
                    Does.Contain("end before they begin"));

    [Test]
    public void OverlappingOffsetsAreReported() =>
        Assert.That(LoadFails(Raw("{" + Entry("a", "F32", "[3]", 0, 12) + "," + Entry("b", "F32", "[2]", 8, 16) + "}", new byte[16])),
                    Does.Contain("\"a\" [0, 12] and \"b\" [8, 16] overlap"));

    [Test]
    public void DuplicateNamesAreReported() =>
        Assert.That(LoadFails(Raw("{" + Entry("w", "F32", "[1]", 0, 4) + "," + Entry("w", "F32", "[1]", 4, 8) + "}", new byte[8])),
                    Does.Contain("\"w\" appears twice"));

    [Test]
    public void UnknownEntryFieldsAndEmptyTensorsAreAccepted()
    {
        var json = "{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8],\"note\":{\"x\":[1,2]}}," + Entry("e", "F32", "[0,5]", 4, 4) + "}";
        var path = _folder.File("ok.safetensors");
        File.WriteAllBytes(path, Raw(json, [1, 0, 0, 0, 2, 0, 0, 0]));
        using var file = SafeTensors.Load(path);
        Assert.That(file["w"].ToArray<int>(), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(file["e"].Numel, Is.Zero);
    }

    [Test]
    public void AStreamSourceIsNamedByTheCaller()
    {
        using var stream = new MemoryStream(Raw("{", null));
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(stream, sourceName: "upload #3"));
        Assert.That(e!.Message, Does.StartWith("upload #3: "));
    }
}
