namespace RawGan.Engine.IO;

/// <summary>
/// One tensor's entry in a safetensors header: its element type, shape, and byte range
/// [<paramref name="DataBegin"/>, <paramref name="DataEnd"/>) relative to the start of the data section.
/// </summary>
public sealed record SafeTensorInfo(string Name, DType DType, Shape Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of bytes the tensor occupies.</summary>
    public long ByteLength => DataEnd - DataBegin;
}
