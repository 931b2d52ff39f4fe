namespace RawGan.Engine.Nn;

/// <summary>Weight initialisers (in place), seeded through Philox so runs are reproducible.</summary>
public static class Init
{
    /// <summary>N(0, std²) entries (BigGAN's CIFAR script uses std 0.02).</summary>
    public static void Normal(Tensor w, double std, ulong seed) => w.Backend.FillNormal(w.Storage, seed, 0, 0, std);

    /// <summary>
    /// A (semi-)orthogonal matrix for W viewed as (rows, rest), as torch.nn.init.orthogonal_: QR of a Gaussian
    /// matrix (of its transpose when rows &lt; rest), with the signs of R's diagonal folded into Q. Rows are
    /// orthonormal when rows ≤ rest, columns otherwise. Computed on the host in double (modified Gram–Schmidt,
    /// twice for stability), then copied to the tensor's device and dtype.
    /// </summary>
    public static void Orthogonal(Tensor w, ulong seed, double gain = 1.0)
    {
        int rows = w.Shape[0], cols = (int)(w.Numel / Math.Max(1, rows));
        bool transpose = rows < cols;
        int n = transpose ? cols : rows, m = transpose ? rows : cols; // orthonormalise m columns of length n
        var g = Tensor.RandomNormal([m, n], seed, 0, dtype: DType.Float64, device: Device.Cpu).ToArray<double>(); // row j = column j
        for (int j = 0; j < m; j++)
        {
            var col = g.AsSpan(j * n, n);
            double r = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    var q = g.AsSpan(k * n, n);
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[i] * col[i];
                    for (int i = 0; i < n; i++) col[i] -= dot * q[i];
                }
            }
            for (int i = 0; i < n; i++) r += col[i] * col[i];
            r = Math.Sqrt(r);
            // Dividing by |r| (not r) is Q·sign(diag R): the sign of this column's R entry is kept in Q.
            for (int i = 0; i < n; i++) col[i] *= gain / r;
        }
        var result = new double[(long)rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                result[(long)i * cols + j] = transpose ? g[i * n + j] : g[j * n + i];
        var t = Tensor.FromArray(result, w.Shape, Device.Cpu).ToDType(w.DType).To(w.Device);
        var strides = w.Shape.ContiguousStrides();
        w.Backend.StridedCopy(t.Storage, 0, strides, w.Storage, 0, strides, w.Shape.AsSpan());
    }
}
