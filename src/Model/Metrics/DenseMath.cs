using System.Numerics;

namespace RawGan.Model.Metrics;

/// <summary>Square float64 matrix products for the metrics (row-major n·n), vectorised and parallel over rows.</summary>
internal static class DenseMath
{
    /// <summary>
    /// A·Bᵀ: entry (i, j) is the dot product of rows i of A and j of B. Rows of A go in blocks, so each row of B
    /// is read from memory once per block rather than once per row of A (the matrices are far larger than cache).
    /// </summary>
    public static double[] MultiplyByTranspose(double[] a, double[] b, int n)
    {
        const int block = 16;
        var c = new double[n * n];
        Parallel.For(0, (n + block - 1) / block, blockIndex =>
        {
            int from = blockIndex * block, to = Math.Min(n, from + block);
            for (int j = 0; j < n; j++)
            {
                var bj = b.AsSpan(j * n, n);
                for (int i = from; i < to; i++) c[i * n + j] = Dot(a.AsSpan(i * n, n), bj);
            }
        });
        return c;
    }

    /// <summary>y += α·x.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            for (; k <= x.Length - Vector<double>.Count; k += Vector<double>.Count)
                (new Vector<double>(y[k..]) + va * new Vector<double>(x[k..])).CopyTo(y[k..]);
        }
        for (; k < x.Length; k++) y[k] += alpha * x[k];
    }

    /// <summary>x·y.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int k = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<double>.Zero;
            for (; k <= x.Length - Vector<double>.Count; k += Vector<double>.Count)
                acc += new Vector<double>(x[k..]) * new Vector<double>(y[k..]);
            sum = Vector.Sum(acc);
        }
        for (; k < x.Length; k++) sum += x[k] * y[k];
        return sum;
    }

    /// <summary>The plane rotation (a, b) ← (c·a − s·b, s·a + c·b), element-wise.</summary>
    public static void Rotate(Span<double> a, Span<double> b, double c, double s)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<double>(c);
            var vs = new Vector<double>(s);
            for (; k <= a.Length - Vector<double>.Count; k += Vector<double>.Count)
            {
                var va = new Vector<double>(a[k..]);
                var vb = new Vector<double>(b[k..]);
                (vs * va + vc * vb).CopyTo(b[k..]);
                (vc * va - vs * vb).CopyTo(a[k..]);
            }
        }
        for (; k < a.Length; k++)
        {
            double h = b[k];
            b[k] = s * a[k] + c * h;
            a[k] = c * a[k] - s * h;
        }
    }
}
