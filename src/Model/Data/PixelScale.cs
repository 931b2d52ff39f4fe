namespace RawGan.Model.Data;

/// <summary>Maps 8-bit pixel values to [−1, 1]: 0 → −1, 255 → 1 (ToTensor then Normalize(0.5, 0.5), as the reference does).</summary>
public static class PixelScale
{
    // A table: each value computed once in double and rounded to float, so every data set maps bytes identically.
    private static readonly float[] Table = BuildTable();

    /// <summary>The value in [−1, 1] of an 8-bit pixel.</summary>
    public static float ToUnit(byte value) => Table[value];

    /// <summary>Scales a row of bytes into floats.</summary>
    public static void ToUnit(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        for (int i = 0; i < source.Length; i++) destination[i] = Table[source[i]];
    }

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = (float)(v / 127.5 - 1.0);
        return table;
    }
}
