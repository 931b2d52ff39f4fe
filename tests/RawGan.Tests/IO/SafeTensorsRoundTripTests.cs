using System.Text;
using RawGan.Engine;
using RawGan.Engine.IO;

namespace RawGan.Tests.IO;

public class SafeTensorsRoundTripTests
{
    private static readonly int[][] Shapes = [[], [0], [3, 0, 2], [1], [7], [2, 3], [2, 3, 4, 5], [1, 1, 1, 1]];

    /// <summary>Random tensors of every supported dtype and several shapes, with special float values mixed in.</summary>
    private static Dictionary<string, Tensor> RandomTensors(Random rng)
    {
        var tensors = new Dictionary<string, Tensor>();
        float[] specialF = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue];
        double[] specialD = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0d, double.Epsilon, double.MinValue];
        for (int s = 0; s < Shapes.Length; s++)
        {
            var shape = new Shape(Shapes[s]);
            int n = (int)shape.Numel;
            var f = Enumerable.Range(0, n).Select(i => i < specialF.Length && n > 10 ? specialF[i] : (float)(rng.NextDouble() * 2 - 1)).ToArray();
            var d = Enumerable.Range(0, n).Select(i => i < specialD.Length && n > 10 ? specialD[i] : rng.NextDouble() * 1e6 - 5e5).ToArray();
            var k = Enumerable.Range(0, n).Select(_ => rng.Next(int.MinValue, int.MaxValue)).ToArray();
            var h = Enumerable.Range(0, n).Select(_ => BFloat16.FromBits((ushort)rng.Next(0, 1 << 16))).ToArray(); // any bits, NaNs too
            tensors[$"f32/{s}"] = Tensor.FromArray(f, shape);
            tensors[$"bf16/{s}"] = Tensor.FromArray(h, shape);
            tensors[$"f64/{s}"] = Tensor.FromArray(d, shape);
            tensors[$"i32/{s}"] = Tensor.FromArray(k, shape);
        }
        return tensors;
    }

    private static void AssertSame(IReadOnlyDictionary<string, Tensor> expected, SafeTensorsFile actual, int seed)
    {
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys), $"seed {seed}");
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.That(a.Shape, Is.EqualTo(e.Shape), $"{name} shape, seed {seed}");
            Assert.That(a.DType, Is.EqualTo(e.DType), $"{name} dtype, seed {seed}");
            Assert.That(a.Device.Backend, Is.SameAs(Device.Cpu.Backend), name);
            Assert.That(Bits(a), Is.EqualTo(Bits(e)), $"{name} values (bit for bit), seed {seed}");
        }
    }

    /// <summary>Element bit patterns, so NaN payloads and −0 compare exactly.</summary>
    private static long[] Bits(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>().Select(x => (long)BitConverter.SingleToInt32Bits(x)).ToArray(),
        DType.Float64 => t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray(),
        DType.BFloat16 => t.ToArray<BFloat16>().Select(x => (long)x.Bits).ToArray(),
        _ => t.ToArray<int>().Select(x => (long)x).ToArray(),
    };

    [Test]
    public void TensorsOfEveryDTypeAndShapeRoundTripThroughAFile()
    {
        int seed = Random.Shared.Next();
        var tensors = RandomTensors(new Random(seed));
        using var folder = new TempFolder();
        var path = folder.File("model.safetensors");
        SafeTensors.Save(path, tensors);
        using var loaded = SafeTensors.Load(path);
        AssertSame(tensors, loaded, seed);
        Assert.That(loaded.Metadata, Is.Empty);
        Assert.That(folder.Entries(), Is.EqualTo(new[] { "model.safetensors" }), "no temporary file is left behind");
    }

    [Test]
    public void TensorsRoundTripThroughASeekableAndANonSeekableStream()
    {
        int seed = Random.Shared.Next();
        var tensors = RandomTensors(new Random(seed));
        using var memory = new MemoryStream();
        SafeTensors.Save(memory, tensors);
        memory.Position = 0;
        using (var loaded = SafeTensors.Load(memory))
        {
            AssertSame(tensors, loaded, seed);
        }
        using var forwardOnly = new ForwardOnlyStream(memory.ToArray());
        using var streamed = SafeTensors.Load(forwardOnly);
        AssertSame(tensors, streamed, seed);
    }

    [Test]
    public void ATensorLargerThanOneCopyChunkRoundTrips()
    {
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        var data = Enumerable.Range(0, 700_001).Select(_ => rng.NextDouble()).ToArray(); // 5.6 MB: several 1 MB chunks
        var tensors = new Dictionary<string, Tensor> { ["big"] = Tensor.FromArray(data) };
        using var memory = new MemoryStream();
        SafeTensors.Save(memory, tensors);
        memory.Position = 0;
        using var loaded = SafeTensors.Load(memory);
        AssertSame(tensors, loaded, seed);
    }

    [Test]
    public void MetadataRoundTrips()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["step"] = "12000",
            ["config"] = "{\"ch\": 64, \"quote\": \"\\\"\"}",
            ["unicode ✓"] = "σ₀ ≤ 1 <&>",
            ["empty"] = "",
        };
        var tensors = new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray(new float[] { 1, 2, 3 }) };
        using var memory = new MemoryStream();
        SafeTensors.Save(memory, tensors, metadata);
        memory.Position = 0;
        using var loaded = SafeTensors.Load(memory);
        Assert.That(loaded.Metadata, Is.EquivalentTo(metadata));
    }

    [Test]
    public void TheWrittenLayoutIsTheStandardOne()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.FromArray(new double[] { 1.5 }),
            ["a"] = Tensor.FromArray(new int[] { 7, -1 }, new Shape(1, 2)),
        };
        using var memory = new MemoryStream();
        SafeTensors.Save(memory, tensors, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = memory.ToArray();
        long n = BitConverter.ToInt64(bytes, 0);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.That(n % 8, Is.Zero, "the data section starts 8-byte aligned");
        Assert.That(header.TrimEnd(' '), Is.EqualTo(
            "{\"__metadata__\":{\"k\":\"v\"}," +
            "\"a\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}"));
        Assert.That(bytes.Length, Is.EqualTo(8 + n + 16));
        Assert.That(BitConverter.ToInt32(bytes, 8 + (int)n + 4), Is.EqualTo(-1));
        Assert.That(BitConverter.ToDouble(bytes, 8 + (int)n + 8), Is.EqualTo(1.5));
    }

    [Test]
    public void AFileWrittenByPythonLoads()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", "io_python.safetensors");
        using var file = SafeTensors.Load(path);
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        Assert.That(file.Metadata["note"], Does.EndWith("ünïcode ✓"));

        var f32 = file["f32_arange"];
        Assert.That(f32.Shape, Is.EqualTo(new Shape(2, 3, 4)));
        Assert.That(f32.ToArray<float>(), Is.EqualTo(Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray()));
        var f64 = file["f64_arange"];
        Assert.That(f64.Shape, Is.EqualTo(new Shape(3, 2)));
        Assert.That(f64.ToArray<double>(), Is.EqualTo(Enumerable.Range(0, 6).Select(i => i / 3.0).ToArray()));
        Assert.That(file["i32_arange"].ToArray<int>(), Is.EqualTo(Enumerable.Range(-3, 7).ToArray()));
        Assert.That(file["scalar"].Shape.Rank, Is.Zero);
        Assert.That(file["scalar"].Item(), Is.EqualTo(2.5));
        Assert.That(file["empty"].Shape, Is.EqualTo(new Shape(0, 3)));
        Assert.That(file["empty"].DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void ReadHeaderDescribesTensorsWithoutLoadingThem()
    {
        using var folder = new TempFolder();
        var path = folder.File("h.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(new Shape(4, 3)) },
                         new Dictionary<string, string> { ["step"] = "5" });
        var header = SafeTensors.ReadHeader(path);
        Assert.That(header.Metadata["step"], Is.EqualTo("5"));
        Assert.That(header.Tensors, Has.Count.EqualTo(1));
        Assert.That(header.Tensors[0], Is.EqualTo(new SafeTensorInfo("w", DType.Float32, new Shape(4, 3), 0, 48)));
    }

    [Test]
    public void AMissingTensorNameListsTheNamesPresent()
    {
        using var memory = new MemoryStream();
        SafeTensors.Save(memory, new Dictionary<string, Tensor> { ["weight"] = Tensor.Zeros(new Shape(2)) });
        memory.Position = 0;
        using var file = SafeTensors.Load(memory, sourceName: "ckpt");
        var e = Assert.Throws<KeyNotFoundException>(() => _ = file["bias"]);
        Assert.That(e!.Message, Does.Contain("ckpt").And.Contain("\"bias\"").And.Contain("weight"));
    }

    /// <summary>A read-only stream that cannot seek or report its length, like a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
