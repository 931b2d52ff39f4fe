using System.Buffers.Binary;
using System.IO.Compression;

namespace RawGan.Tests.Data;

/// <summary>Writes small IDX files (plain or gzip) for the parser tests, independently of the reader.</summary>
internal static class IdxWriter
{
    /// <summary>The bytes of an unsigned-byte IDX file with the given dimensions and data.</summary>
    public static byte[] Bytes(int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>Gzip-compresses bytes.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>Writes a file, gzip-compressed when <paramref name="gzip"/> is set.</summary>
    public static void Write(string path, int[] dims, byte[] data, bool gzip = false)
    {
        var bytes = Bytes(dims, data);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
    }

    /// <summary>Writes an MNIST-layout pair (count × rows × cols images, count labels) into a folder under the split's names.</summary>
    public static void WriteMnistPair(string folder, string imagesName, string labelsName, byte[] pixels, byte[] labels, int rows, int cols, bool gzip)
    {
        string suffix = gzip ? ".gz" : "";
        Write(Path.Combine(folder, imagesName + suffix), [labels.Length, rows, cols], pixels, gzip);
        Write(Path.Combine(folder, labelsName + suffix), [labels.Length], labels, gzip);
    }
}
