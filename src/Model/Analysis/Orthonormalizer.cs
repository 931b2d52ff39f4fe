namespace RawGan.Model.Analysis;

/// <summary>
/// Orthonormal columns for a tall, thin float64 block (rows × cols, row-major) by modified Gram–Schmidt applied
/// twice ("twice is enough", Giraud et al.), so the result is orthonormal to working precision even when the block
/// is badly conditioned. A column that vanishes (the block is rank-deficient) is replaced by a pseudo-random vector
/// orthogonalised against the others, so the subspace keeps its size.
/// </summary>
public static class Orthonormalizer
{
    /// <summary>Orthonormalises the columns of <paramref name="block"/> in place.</summary>
    public static void Orthonormalize(double[] block, int rows, int cols, int seed = 0)
    {
        if (cols > rows) throw new ArgumentException($"Cannot make {cols} orthonormal columns in {rows} dimensions.", nameof(cols));
        double scale = 0;
        for (int c = 0; c < cols; c++) scale = Math.Max(scale, ColumnNorm(block, rows, cols, c));
        var random = new Random(seed);
        for (int c = 0; c < cols; c++)
        {
            double before = ColumnNorm(block, rows, cols, c);
            for (int pass = 0; pass < 2; pass++) ProjectOut(block, rows, cols, c);
            double after = ColumnNorm(block, rows, cols, c);
            // Relative to the block's largest column: a column that is (numerically) in the span of the previous ones.
            for (int attempt = 0; after <= 1e-12 * Math.Max(scale, before) || after == 0; attempt++)
            {
                if (attempt == 10) throw new InvalidOperationException("Could not complete an orthonormal basis; the block is numerically degenerate.");
                for (int r = 0; r < rows; r++) block[r * cols + c] = random.NextDouble() - 0.5;
                scale = before = 1;
                for (int pass = 0; pass < 2; pass++) ProjectOut(block, rows, cols, c);
                after = ColumnNorm(block, rows, cols, c);
            }
            for (int r = 0; r < rows; r++) block[r * cols + c] /= after;
        }
    }

    private static void ProjectOut(double[] block, int rows, int cols, int c)
    {
        for (int p = 0; p < c; p++)
        {
            double dot = 0;
            for (int r = 0; r < rows; r++) dot += block[r * cols + p] * block[r * cols + c];
            for (int r = 0; r < rows; r++) block[r * cols + c] -= dot * block[r * cols + p];
        }
    }

    private static double ColumnNorm(double[] block, int rows, int cols, int c)
    {
        double s = 0;
        for (int r = 0; r < rows; r++) s += block[r * cols + c] * block[r * cols + c];
        return Math.Sqrt(s);
    }
}
