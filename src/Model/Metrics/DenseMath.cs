using System.Numerics;

namespace RawGan.Model.Metrics;

/// <summary>Square float64 matrix products for the metrics (row-major n·n), vectorised and parallel over rows.</summary>
internal static class DenseMath
{
    /// <summary>A·B.</summary>
    public static double[] Multiply(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        Parallel.For(0, n, i =>
        {
            var row = c.AsSpan(i * n, n);
            for (int k = 0; k < n; k++)
            {
                double aik = a[i * n + k];
                if (aik != 0) Axpy(aik, b.AsSpan(k * n, n), row);
            }
        });
        return c;
    }

    /// <summary>A·Bᵀ: entry (i, j) is the dot product of rows i of A and j of B.</summary>
    public static double[] MultiplyByTranspose(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        Parallel.For(0, n, i =>
        {
            var ai = a.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) c[i * n + j] = Dot(ai, b.AsSpan(j * n, n));
        });
        return c;
    }

    private static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
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

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
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
}
