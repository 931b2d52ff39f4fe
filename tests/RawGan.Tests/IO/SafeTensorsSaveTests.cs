using RawGan.Engine;
using RawGan.Engine.IO;

namespace RawGan.Tests.IO;

/// <summary>Saving validates before touching the disk and replaces files atomically.</summary>
public class SafeTensorsSaveTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private string ExistingCheckpoint(out byte[] bytes)
    {
        var path = _folder.File("ckpt.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray(new float[] { 1, 2, 3 }) },
                         new Dictionary<string, string> { ["step"] = "100" });
        bytes = File.ReadAllBytes(path);
        return path;
    }

    [Test]
    public void SavingOverAFileReplacesIt()
    {
        var path = ExistingCheckpoint(out _);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["v"] = Tensor.FromArray(new double[] { 4, 5 }) });
        using var loaded = SafeTensors.Load(path);
        Assert.That(loaded.Keys, Is.EqualTo(new[] { "v" }));
        Assert.That(loaded["v"].ToArray<double>(), Is.EqualTo(new double[] { 4, 5 }));
        Assert.That(_folder.Entries(), Is.EqualTo(new[] { "ckpt.safetensors" }));
    }

    [Test]
    public void AFailureMidWriteLeavesTheOldFileIntact()
    {
        var path = ExistingCheckpoint(out var before);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[5000]);
            stream.Flush();
            throw new IOException("simulated device failure while copying a tensor");
        }));
        Assert.That(e!.Message, Does.Contain("simulated"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), "the old checkpoint is untouched");
        Assert.That(_folder.Entries(), Is.EqualTo(new[] { "ckpt.safetensors" }), "the temporary file is removed");
    }

    [Test]
    public void ATensorWhoseStorageWasReleasedIsRefusedAndTheOldFileKept()
    {
        var path = ExistingCheckpoint(out var before);
        var good = Tensor.FromArray(new float[] { 1, 2 });
        var released = Tensor.FromArray(new float[] { 3, 4 });
        var view = released.Detach();
        released.Storage.Dispose();
        released.Storage.Dispose(); // both holders gone: the memory is freed under the tensor
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = good, ["b"] = view }));
        Assert.That(e!.Message, Does.Contain("\"b\"").And.Contain("released"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(_folder.Entries(), Is.EqualTo(new[] { "ckpt.safetensors" }));
    }

    [Test]
    public void ADisposedTensorIsRefused()
    {
        var t = Tensor.FromArray(new float[] { 1 });
        t.Dispose();
        var path = _folder.File("x.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t }));
        Assert.That(e!.Message, Does.Contain("\"t\"").And.Contain("disposed"));
        Assert.That(_folder.Entries(), Is.Empty);
    }

    [TestCase("")]
    [TestCase("__metadata__")]
    public void AReservedOrEmptyNameIsRefused(string name)
    {
        using var memory = new MemoryStream();
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(memory, new Dictionary<string, Tensor> { [name] = Tensor.Zeros(new Shape(1)) }));
        Assert.That(memory.Length, Is.Zero, "nothing is written");
    }

    [Test]
    public void SavingIntoAMissingFolderFailsClearly()
    {
        var path = Path.Combine(_folder.Path, "missing", "x.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() =>
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = Tensor.Zeros(new Shape(1)) }));
    }
}
