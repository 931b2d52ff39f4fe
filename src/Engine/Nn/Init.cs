using RawGan.Engine.Autograd;

namespace RawGan.Engine.Nn;

/// <summary>Weight initialisers (in place), seeded through Philox so runs are reproducible.</summary>
public static class Init
{
    /// <summary>N(0, std²) entries (BigGAN's CIFAR script uses std 0.02).</summary>
    public static void Normal(Tensor w, double std, ulong seed) => w.Backend.FillNormal(w.Storage, seed, 0, 0, std);

    /// <summary>
    /// A (semi-)orthogonal matrix for W viewed as (rows, rest), as torch.nn.init.orthogonal_: the Q of a QR
    /// factorisation of a Gaussian matrix (of its transpose when rows &lt; rest) with the signs of R's diagonal
    /// folded into Q. Rows are orthonormal when rows ≤ rest, columns otherwise. Computed on the weight's device in
    /// float64 by CholeskyQR2 (<see cref="CholeskyQr"/>: its R has a positive diagonal, so its Q is that one),
    /// then cast to the weight's dtype and scaled by <paramref name="gain"/>.
    /// </summary>
    public static void Orthogonal(Tensor w, ulong seed, double gain = 1.0)
    {
        int rows = w.Shape[0], cols = (int)(w.Numel / Math.Max(1, rows));
        int n = Math.Max(rows, cols), m = Math.Min(rows, cols);
        using var scope = new TensorScope();
        using var noGrad = GradMode.Disable();
        // Row j is column j of the n×m Gaussian whose QR is taken, so the rows of Y are the columns of Q.
        var x = Tensor.RandomNormal([m, n], seed, 0, dtype: DType.Float64, device: w.Device);
        var y = CholeskyQr.OrthonormalRows(x);
        var q = rows < cols ? y : Ops.Transpose(y, 0, 1);
        var t = Ops.ToDType(gain == 1 ? q : Ops.MulScalar(q, gain), w.DType);
        var strides = w.Shape.ContiguousStrides();
        w.Backend.StridedCopy(t.Storage, 0, strides, w.Storage, 0, strides, w.Shape.AsSpan());
    }
}
