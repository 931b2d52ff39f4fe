using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Engine.IO;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
/// JSON describing each tensor (dtype, shape, byte range) plus optional string metadata, then the raw
/// little-endian data. RawGan reads and writes F32, F64 and I32. Every malformed input raises
/// <see cref="SafeTensorsException"/> before any large allocation.
/// </summary>
public static class SafeTensors
{
    /// <summary>Bytes moved per copy between the stream and a tensor (a multiple of every element size).</summary>
    private const int ChunkBytes = 1 << 20;

    /// <summary>Loads every tensor of the file at <paramref name="path"/> onto <paramref name="device"/> (default: the CPU).</summary>
    public static SafeTensorsFile Load(string path, Device? device = null)
    {
        using var stream = OpenRead(path);
        return Load(stream, device, path);
    }

    /// <summary>
    /// Loads every tensor from <paramref name="stream"/>, which is read from its current position. A stream that
    /// cannot seek is first copied to memory. <paramref name="sourceName"/> names the stream in error messages.
    /// </summary>
    public static SafeTensorsFile Load(Stream stream, Device? device = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string source = sourceName ?? "safetensors stream";
        if (!stream.CanSeek)
        {
            // Memory grows with the bytes actually present, never with what a header claims.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            return Load(copy, device, source);
        }
        var header = ReadHeader(stream, source, out long dataStart);
        var target = device ?? Device.Cpu;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (var info in header.Tensors)
            {
                stream.Position = dataStart + info.DataBegin;
                tensors.Add(info.Name, ReadTensor(stream, info, target, buffer, source));
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new SafeTensorsFile(source, tensors, header.Metadata);
    }

    /// <summary>Reads and validates only the header of the file at <paramref name="path"/> (no tensor data).</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return ReadHeader(stream, path, out _);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (Float32, Float64 or Int32, in name order) and <paramref name="metadata"/>
    /// to <paramref name="path"/> atomically: a temporary file in the same folder is written, flushed to disk and
    /// renamed over the target, so a failure leaves any previous file untouched.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var plan = Plan(tensors, metadata);
        AtomicFile.Write(path, stream => Write(stream, plan));
    }

    /// <summary>Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="stream"/> at its current position.</summary>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(stream, Plan(tensors, metadata));
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.SequentialScan);

    private static SafeTensorsHeader ReadHeader(Stream stream, string source, out long dataStart)
    {
        long available = stream.Length - stream.Position;
        if (available < 8)
            throw new SafeTensorsException(source, $"only {available} bytes, fewer than the 8-byte header length: the file is truncated or not safetensors");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
            throw new SafeTensorsException(source, $"the header length field says {headerLength} bytes, over the {SafeTensorsHeader.MaxHeaderBytes / 1_000_000} MB limit: the file is corrupt or not safetensors");
        if ((long)headerLength > available - 8)
            throw new SafeTensorsException(source, $"the header length field says {headerLength} bytes but only {available - 8} follow: the file is truncated");
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        dataStart = stream.Position;
        return SafeTensorsHeader.Parse(json, available - 8 - (long)headerLength, source);
    }

    private static Tensor ReadTensor(Stream stream, SafeTensorInfo info, Device device, byte[] buffer, string source)
    {
        var t = Tensor.Empty(info.Shape, info.DType, device);
        try
        {
            switch (info.DType)
            {
                case DType.Float32: Fill<float>(stream, t, info.ByteLength, buffer); break;
                case DType.Float64: Fill<double>(stream, t, info.ByteLength, buffer); break;
                case DType.BFloat16: Fill<BFloat16>(stream, t, info.ByteLength, buffer); break;
                default: Fill<int>(stream, t, info.ByteLength, buffer); break;
            }
            return t;
        }
        catch (EndOfStreamException e)
        {
            t.Dispose();
            throw new SafeTensorsException(source, $"tensor \"{info.Name}\": the data ended early (the file shrank while being read?)", e);
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    private static void Fill<T>(Stream stream, Tensor t, long byteLength, byte[] buffer) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        for (long done = 0; done < byteLength;)
        {
            int chunk = (int)Math.Min(ChunkBytes, byteLength - done);
            var bytes = buffer.AsSpan(0, chunk);
            stream.ReadExactly(bytes);
            FromLittleEndian(bytes, size);
            t.Backend.CopyFromHost<T>(MemoryMarshal.Cast<byte, T>(bytes), t.Storage, done / size);
            done += chunk;
        }
    }

    /// <summary>The tensors to write, in name order, with their byte ranges; validated before any byte is written.</summary>
    private sealed record WritePlan(byte[] Header, (SafeTensorInfo Info, Tensor Tensor)[] Entries);

    private static WritePlan Plan(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = new List<(SafeTensorInfo, Tensor)>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Tensor names must not be empty.", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"\"{SafeTensorsHeader.MetadataKey}\" is reserved for metadata and cannot name a tensor.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor \"{name}\" is null.", nameof(tensors));
            Storage storage;
            try
            {
                storage = tensor.Storage;
            }
            catch (ObjectDisposedException e)
            {
                throw new ArgumentException($"Tensor \"{name}\" was disposed and cannot be saved.", nameof(tensors), e);
            }
            if (storage.IsReleased) throw new ArgumentException($"Tensor \"{name}\"'s storage was released and cannot be saved.", nameof(tensors));
            long bytes = tensor.Numel * tensor.DType.SizeInBytes();
            entries.Add((new SafeTensorInfo(name, tensor.DType, tensor.Shape, offset, offset + bytes), tensor));
            offset += bytes;
        }
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                meta.Add(k, v ?? throw new ArgumentException($"Metadata value for \"{k}\" is null.", nameof(metadata)));
            }
        }
        var header = new SafeTensorsHeader(entries.Select(e => e.Item1).ToArray(), meta).Serialize();
        return new WritePlan(header, [.. entries]);
    }

    private static void Write(Stream stream, WritePlan plan)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)plan.Header.Length);
        stream.Write(prefix);
        stream.Write(plan.Header);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (var (info, tensor) in plan.Entries)
            {
                switch (info.DType)
                {
                    case DType.Float32: Drain<float>(stream, tensor, buffer); break;
                    case DType.Float64: Drain<double>(stream, tensor, buffer); break;
                    case DType.BFloat16: Drain<BFloat16>(stream, tensor, buffer); break;
                    default: Drain<int>(stream, tensor, buffer); break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        stream.Flush();
    }

    private static void Drain<T>(Stream stream, Tensor t, byte[] buffer) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        int perChunk = ChunkBytes / size;
        for (long done = 0; done < t.Numel;)
        {
            int count = (int)Math.Min(perChunk, t.Numel - done);
            var bytes = buffer.AsSpan(0, count * size);
            t.Backend.CopyToHost(t.Storage, done, MemoryMarshal.Cast<byte, T>(bytes));
            FromLittleEndian(bytes, size); // the swap is its own inverse
            stream.Write(bytes);
            done += count;
        }
    }

    /// <summary>Swaps byte order in place on big-endian machines (the format is little-endian); no-op elsewhere.</summary>
    private static void FromLittleEndian(Span<byte> bytes, int elementSize)
    {
        if (BitConverter.IsLittleEndian) return;
        if (elementSize == 8) BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, long>(bytes), MemoryMarshal.Cast<byte, long>(bytes));
        else BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(bytes), MemoryMarshal.Cast<byte, int>(bytes));
    }
}
