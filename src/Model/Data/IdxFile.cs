using System.Buffers.Binary;
using System.IO.Compression;

namespace RawGan.Model.Data;

/// <summary>An IDX array of unsigned bytes: its dimensions and its data in row-major order.</summary>
/// <param name="Dims">Size of each dimension, outermost first.</param>
/// <param name="Data">The elements, exactly the product of <paramref name="Dims"/> bytes.</param>
public sealed record IdxArray(int[] Dims, byte[] Data);

/// <summary>
/// Reads IDX files (the MNIST format: two zero bytes, an element-type byte, a dimension count, big-endian int32
/// dimensions, then the data), plain or gzip-compressed (recognised by the gzip magic bytes, whatever the file name).
/// Only unsigned-byte arrays (type 0x08) are accepted: that is what MNIST ships.
/// </summary>
public static class IdxFile
{
    /// <summary>Element-type code of unsigned bytes.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>
    /// Reads and validates an IDX file of rank <paramref name="expectedRank"/>; throws
    /// <see cref="DataFormatException"/> naming the file for a bad header, a truncated body or trailing bytes.
    /// </summary>
    public static IdxArray Read(string path, int expectedRank)
    {
        var bytes = ReadDecompressed(path);
        return Parse(bytes, path, expectedRank);
    }

    /// <summary>Parses the bytes of an IDX file; <paramref name="path"/> only names the source in errors.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string path, int expectedRank)
    {
        if (bytes.Length < 4)
            throw new DataFormatException(path, $"not an IDX file: {bytes.Length} bytes, shorter than the 4-byte magic number.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException(path, $"not an IDX file: the magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(bytes):X8} does not start with two zero bytes.");
        if (bytes[2] != UnsignedByte)
            throw new DataFormatException(path, $"IDX element type 0x{bytes[2]:X2} is not supported (expected 0x08, unsigned byte).");
        int rank = bytes[3];
        if (rank != expectedRank)
            throw new DataFormatException(path, $"the IDX magic number says {rank} dimensions, expected {expectedRank}.");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new DataFormatException(path, $"truncated: the IDX header needs {headerLength} bytes, the file has {bytes.Length}.");

        var dims = new int[rank];
        long expected = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes[(4 + 4 * d)..]);
            if (size == 0 || size > int.MaxValue)
                throw new DataFormatException(path, $"IDX dimension {d} has size {size}.");
            dims[d] = (int)size;
            expected *= size;
            if (expected > Array.MaxLength)
                throw new DataFormatException(path, $"the IDX dimensions ({string.Join(" × ", dims.Take(d + 1))}) exceed what one array can hold.");
        }

        long actual = bytes.Length - headerLength;
        if (actual < expected)
            throw new DataFormatException(path, $"truncated: dimensions {string.Join(" × ", dims)} need {expected} data bytes, the file has {actual}.");
        if (actual > expected)
            throw new DataFormatException(path, $"{actual - expected} unexpected bytes after the {expected} data bytes of dimensions {string.Join(" × ", dims)}.");
        return new IdxArray(dims, bytes[headerLength..].ToArray());
    }

    /// <summary>The file's bytes, decompressed when they start with the gzip magic bytes.</summary>
    private static byte[] ReadDecompressed(string path)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new DataFormatException(path, "file not found.", e);
        }
        if (raw.Length < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;

        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt or truncated gzip stream ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, "truncated gzip stream.", e);
        }
    }
}
