using System.Numerics.Tensors;

namespace RawGan.Engine.Nn;

/// <summary>
/// Orthonormal rows for a wide float64 matrix X (m×n, m ≤ n) by CholeskyQR2 (Fukaya, Nakatsukasa, Yanagisawa,
/// Yamamoto 2014): one pass is G = X Xᵀ = L Lᵀ (Cholesky) and Y = L⁻¹ X, so Xᵀ = Yᵀ Lᵀ is a QR factorisation
/// of Xᵀ whose R = Lᵀ has a positive diagonal; Q = Yᵀ is therefore the Q of any QR of Xᵀ with the signs of R's
/// diagonal folded in, which is what torch.nn.init.orthogonal_ returns for the Gaussian Xᵀ. One pass leaves
/// Y orthonormal only to about κ(X)²·ε; a second pass on Y (κ(Y) ≈ 1) brings it to working precision.
/// <para>
/// The O(n·m²) products run on X's device through the backend's GEMM, block row by block row, so the Gram
/// matrix's mirrored half and the zeros of the triangular solve are skipped but for 1/blocks. The m×m Cholesky
/// and the inverses of L's diagonal blocks run on the host (m³/3: a fraction of a second at m = 1536).
/// When X is too ill-conditioned for Cholesky (κ ≳ 1e8; a square Gaussian has κ ≈ m), that pass is shifted
/// (shifted CholeskyQR3, Fukaya et al. 2020), and passes repeat until the output's Gram matrix is the identity to
/// working precision, or the input of a pass was orthonormal to 1e-2 (which makes its output so).
/// </para>
/// </summary>
internal static class CholeskyQr
{
    /// <summary>Rows per block of the Gram matrix and of the triangular solve.</summary>
    private const int BlockRows = 256;

    private const int MaxPasses = 4;
    private const double UnitRoundoff = 1.0 / (1L << 53);

    /// <summary>
    /// Largest |Y Yᵀ − I| entry accepted as orthonormal without another pass: about 1000 ε. Householder QR and a
    /// second CholeskyQR pass both leave ≈ 1e-15 at BigGAN's sizes; a square Gaussian's first pass leaves ≈ 1e-9.
    /// </summary>
    private const double WorkingPrecision = 1e-13;

    /// <summary>Y = (R⁻ᵀ) X with orthonormal rows, as a new tensor on X's device; X (m×n float64, m ≤ n) is kept.</summary>
    public static Tensor OrthonormalRows(Tensor x)
    {
        if (x.Rank != 2 || x.DType != DType.Float64 || x.Shape[0] > x.Shape[1])
            throw new ArgumentException($"CholeskyQR needs a wide float64 matrix (m ≤ n), got {x.Shape} {x.DType}.", nameof(x));
        var y = x;
        var gram = LowerGram(y);
        bool inputNearOrthonormal = false;
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            var l = Cholesky(gram, y.Shape[0]) ?? Cholesky(Shifted(gram, y.Shape), y.Shape[0])
                ?? throw new ArithmeticException($"CholeskyQR: the {y.Shape} matrix is numerically rank-deficient.");
            var next = SolveLower(l, y);
            if (!ReferenceEquals(y, x)) y.Dispose();
            y = next;
            if (inputNearOrthonormal) return y;
            // A wide Gaussian (every BigGAN convolution: n = 9·c_in ≥ m) has κ ≈ 2, so one pass is already
            // orthonormal to working precision; its Gram matrix shows that, and spares the second solve.
            gram = LowerGram(y);
            if (IsNearIdentity(gram, y.Shape[0], WorkingPrecision)) return y;
            inputNearOrthonormal = IsNearIdentity(gram, y.Shape[0], 1e-2);
        }
        throw new ArithmeticException($"CholeskyQR did not reach orthonormal rows for {x.Shape} in {MaxPasses} passes.");
    }

    // The lower block rows of X Xᵀ (row-major m×m; entries above the diagonal blocks are not computed).
    private static double[] LowerGram(Tensor x)
    {
        int m = x.Shape[0], n = x.Shape[1];
        var backend = x.Backend;
        using var gram = backend.Allocate(DType.Float64, (long)m * m);
        for (int r0 = 0; r0 < m; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - r0), upTo = r0 + rows;
            backend.Gemm(false, true, rows, upTo, n, 1, x.Storage, (long)r0 * n, n, 0, x.Storage, 0, n, 0, 0, gram, (long)r0 * m, m, 0, 1, MathMode.Exact);
        }
        var host = new double[(long)m * m];
        backend.CopyToHost<double>(gram, 0, host);
        return host;
    }

    // G + s·I with s = 11(m·n + m(m + 1))·ε·‖X‖² (‖X‖² ≤ trace G), the shift that makes Cholesky succeed for any X.
    private static double[] Shifted(double[] gram, Shape shape)
    {
        int m = shape[0], n = shape[1];
        double trace = 0;
        for (int i = 0; i < m; i++) trace += gram[(long)i * m + i];
        double shift = 11.0 * ((double)m * n + (double)m * (m + 1)) * UnitRoundoff * trace;
        var g = (double[])gram.Clone();
        for (int i = 0; i < m; i++) g[(long)i * m + i] += shift;
        return g;
    }

    private static bool IsNearIdentity(double[] gram, int m, double tolerance)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= i; j++)
                if (Math.Abs(gram[(long)i * m + j] - (i == j ? 1 : 0)) > tolerance) return false;
        return true;
    }

    /// <summary>
    /// The lower Cholesky factor of the symmetric positive definite m×m matrix whose lower triangle is given
    /// (row-major), or null when a pivot is not positive. Left-looking by columns; the entries below each pivot
    /// are independent dot products of contiguous row prefixes, computed in parallel.
    /// </summary>
    internal static double[]? Cholesky(double[] a, int m)
    {
        var l = new double[(long)m * m];
        for (int j = 0; j < m; j++)
        {
            var lj = l.AsSpan(j * m, j);
            double d = a[(long)j * m + j] - TensorPrimitives.Dot<double>(lj, lj);
            if (!(d > 0) || !double.IsFinite(d)) return null;
            double pivot = Math.Sqrt(d);
            l[(long)j * m + j] = pivot;
            int col = j;
            ForRows(j + 1, m, (long)(m - j) * j, i =>
            {
                var li = l.AsSpan(i * m, col);
                l[(long)i * m + col] = (a[(long)i * m + col] - TensorPrimitives.Dot<double>(li, l.AsSpan(col * m, col))) / pivot;
            });
        }
        return l;
    }

    // Y = L⁻¹ X by blocked forward substitution on X's device: Y_i = L_ii⁻¹ (X_i − L_i,<i · Y_<i). The host inverts
    // the diagonal blocks and uploads L with them in place of L_ii.
    private static Tensor SolveLower(double[] l, Tensor x)
    {
        int m = x.Shape[0], n = x.Shape[1];
        var backend = x.Backend;
        for (int r0 = 0; r0 < m; r0 += BlockRows) InvertDiagonalBlock(l, m, r0, Math.Min(BlockRows, m - r0));
        using var factors = backend.Allocate(DType.Float64, (long)m * m);
        backend.CopyFromHost<double>(l, factors, 0);
        var y = Tensor.Zeros(x.Shape, DType.Float64, x.Device);
        using var panel = backend.Allocate(DType.Float64, (long)Math.Min(BlockRows, m) * n);
        for (int r0 = 0; r0 < m; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, m - r0);
            backend.StridedCopy(x.Storage, (long)r0 * n, [1], panel, 0, [1], [rows * n]);
            if (r0 > 0)
                backend.Gemm(false, false, rows, n, r0, -1, factors, (long)r0 * m, m, 0, y.Storage, 0, n, 0, 1, panel, 0, n, 0, 1, MathMode.Exact);
            backend.Gemm(false, false, rows, n, rows, 1, factors, (long)r0 * m + r0, m, 0, panel, 0, n, 0, 0, y.Storage, (long)r0 * n, n, 0, 1, MathMode.Exact);
        }
        return y;
    }

    // Replaces the lower-triangular block L[r0.., r0..] (size b) by its inverse, column by column in parallel:
    // column c of the inverse solves L x = e_c by forward substitution (a dot product of contiguous row slices).
    private static void InvertDiagonalBlock(double[] l, int m, int r0, int b)
    {
        var block = new double[b * b];
        for (int i = 0; i < b; i++) l.AsSpan((r0 + i) * m + r0, i + 1).CopyTo(block.AsSpan(i * b));
        var inverseT = new double[b * b]; // row c = column c of the inverse, so the substitution reads it contiguously
        ForRows(0, b, (long)b * b * b / 6, c =>
        {
            var x = inverseT.AsSpan(c * b, b);
            for (int i = c; i < b; i++)
            {
                double s = i == c ? 1 : 0;
                s -= TensorPrimitives.Dot<double>(block.AsSpan(i * b + c, i - c), x.Slice(c, i - c));
                x[i] = s / block[i * b + i];
            }
        });
        for (int i = 0; i < b; i++)
            for (int j = 0; j <= i; j++) l[(long)(r0 + i) * m + r0 + j] = inverseT[j * b + i];
    }

    // Runs body(i) for i in [start, end), in parallel when the work (in multiply-adds) is worth waking the pool.
    private static void ForRows(int start, int end, long work, Action<int> body)
    {
        if (work < 1 << 16)
        {
            for (int i = start; i < end; i++) body(i);
            return;
        }
        Parallel.For(start, end, body);
    }
}
