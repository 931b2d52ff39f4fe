namespace RawGan.Tests.TestSupport;

/// <summary>Row-major index arithmetic for the loop-by-loop references.</summary>
public static class Nd
{
    /// <summary>Row-major strides of a shape.</summary>
    public static long[] Strides(int[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /// <summary>Number of elements of a shape.</summary>
    public static long Numel(int[] shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>The multi-index of a flat row-major position.</summary>
    public static int[] Unravel(long flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            idx[i] = (int)(flat % shape[i]);
            flat /= shape[i];
        }
        return idx;
    }

    /// <summary>The flat row-major position of a multi-index.</summary>
    public static long Ravel(int[] idx, int[] shape)
    {
        long flat = 0;
        for (int i = 0; i < shape.Length; i++) flat = flat * shape[i] + idx[i];
        return flat;
    }
}
