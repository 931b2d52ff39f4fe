using RawGan.Engine;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Ops;

/// <summary>
/// The CPU backend's subspace-iteration kernels (the reference of kernels-cu/subspace.cu) on a batch of mixed
/// shapes: the products against direct loops, the orthonormalisation by what it must establish (QᵀQ = I, QᵀX upper
/// triangular, an all-zero block made full rank), Rayleigh–Ritz by its eigen-equations, the residual against a
/// direct sum, and the done flag leaving a matrix untouched.
/// </summary>
public class SubspaceReferenceTests
{
    // Block 8, a whole small side (12, 7), one row, a zero matrix, and one with more columns than a task.
    private static readonly (int Rows, int Cols, int Block)[] Shapes = [(20, 30, 8), (45, 12, 12), (7, 7, 7), (1, 50, 1), (6, 9, 6), (40, 300, 8)];

    internal sealed class Fixture
    {
        public Fixture(TestRng rng, DType dtype, Device? device = null)
        {
            device ??= Device.Cpu;
            Weights = Shapes.Select((s, l) => l == 4
                ? Tensor.Zeros([s.Rows, s.Cols], dtype, device)
                : Tensor.FromArray(rng.NormalArray(s.Rows * s.Cols), new Shape(s.Rows, s.Cols)).ToDType(dtype).To(device)).ToArray();
            Batch = new SubspaceBatch(Weights.Select(w => w.Storage).ToArray(), Shapes.Select(s => s.Rows).ToArray(),
                Shapes.Select(s => s.Cols).ToArray(), Shapes.Select(s => s.Block).ToArray(), Shapes.Select(s => Math.Min(3, s.Block)).ToArray());
            V = Tensor.FromArray(rng.NormalArray(Batch.ColLength), new Shape((int)Batch.ColLength)).To(device);
            State = Tensor.Zeros([(int)Batch.StateLength], DType.Float64, device);
        }

        public Tensor[] Weights { get; }

        public SubspaceBatch Batch { get; }

        public Tensor V { get; }

        public Tensor State { get; }

        public Tensor RowSide() => Tensor.Zeros([(int)Batch.RowLength], DType.Float64, V.Device);

        public Tensor ColumnSide() => Tensor.Zeros([(int)Batch.ColLength], DType.Float64, V.Device);

        public double[] Weight(int l) => Weights[l].ToDoubleArray();
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void ProductsMatchDirectLoops(DType dtype)
    {
        var rng = TestRng.Fresh();
        var f = new Fixture(rng, dtype);
        var backend = Device.Cpu.Backend;
        var y = f.RowSide();
        var z = f.ColumnSide();
        backend.SubspaceProduct(f.Batch, false, f.V.Storage, y.Storage, f.State.Storage);
        backend.SubspaceProduct(f.Batch, true, y.Storage, z.Storage, f.State.Storage);
        var (v, ys, zs) = (f.V.ToArray<double>(), y.ToArray<double>(), z.ToArray<double>());
        for (int l = 0; l < Shapes.Length; l++)
        {
            var (m, n, b) = Shapes[l];
            var w = f.Weight(l);
            var expectedY = DenseMath.MatMul(w, m, n, v.AsSpan((int)f.Batch.ColOffset[l], n * b).ToArray(), b);
            var expectedZ = DenseMath.MatMul(DenseMath.Transpose(w, m, n), n, m, ys.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray(), b);
            Tolerance.AssertClose(ys.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray(), expectedY, 1e-12, 1e-12, $"W V of {m}×{n}", rng);
            Tolerance.AssertClose(zs.AsSpan((int)f.Batch.ColOffset[l], n * b).ToArray(), expectedZ, 1e-12, 1e-12, $"Wᵀ Y of {m}×{n}", rng);
        }
    }

    [Test]
    public void OrthonormalizationKeepsTheSpanColumnByColumn()
    {
        var rng = TestRng.Fresh();
        var f = new Fixture(rng, DType.Float64);
        var backend = Device.Cpu.Backend;
        var y = f.RowSide();
        backend.SubspaceProduct(f.Batch, false, f.V.Storage, y.Storage, f.State.Storage);
        var x = y.ToArray<double>();
        backend.SubspaceOrthonormalize(f.Batch, false, y.Storage, f.State.Storage, 11);
        var q = y.ToArray<double>();
        for (int l = 0; l < Shapes.Length; l++)
        {
            var (m, _, b) = Shapes[l];
            var ql = q.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray();
            var xl = x.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray();
            var qtq = DenseMath.MatMul(DenseMath.Transpose(ql, m, b), b, m, ql, b);
            var qtx = DenseMath.MatMul(DenseMath.Transpose(ql, m, b), b, m, xl, b);
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                {
                    Assert.That(qtq[i * b + j], Is.EqualTo(i == j ? 1.0 : 0.0).Within(1e-13), $"QᵀQ of matrix {l} at ({i}, {j}); {rng}");
                    if (i > j && l != 4) Assert.That(qtx[i * b + j], Is.EqualTo(0).Within(1e-10), $"QᵀX of matrix {l} at ({i}, {j}); {rng}");
                }
        }
    }

    [Test]
    public void RayleighRitzSolvesTheProjectedEigenproblemAndResidualIsDirect()
    {
        var rng = TestRng.Fresh();
        var f = new Fixture(rng, DType.Float32);
        var backend = Device.Cpu.Backend;
        var (y, u) = (f.RowSide(), f.RowSide());
        var z = f.ColumnSide();
        backend.SubspaceProduct(f.Batch, false, f.V.Storage, y.Storage, f.State.Storage);
        backend.SubspaceOrthonormalize(f.Batch, false, y.Storage, f.State.Storage, 3);
        backend.SubspaceProduct(f.Batch, true, y.Storage, z.Storage, f.State.Storage);
        var (q, z0) = (y.ToArray<double>(), z.ToArray<double>());
        backend.SubspaceRayleighRitz(f.Batch, y.Storage, z.Storage, u.Storage, f.V.Storage, f.State.Storage, 0, 1e-9);
        var (us, vs, state) = (u.ToArray<double>(), f.V.ToArray<double>(), f.State.ToArray<double>());
        for (int l = 0; l < Shapes.Length; l++)
        {
            var (m, n, b) = Shapes[l];
            var row = state.AsSpan(l * SubspaceBatch.StateStride, SubspaceBatch.StateStride).ToArray();
            Assert.That(row.Take(b), Is.Ordered.Descending, $"σ of matrix {l}");
            Assert.That(row[SubspaceBatch.SettledSlot], Is.Zero, "nothing settles in the first iteration");
            var ql = q.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray();
            var zl = z0.AsSpan((int)f.Batch.ColOffset[l], n * b).ToArray();
            // P = Qᵀ U (Q orthonormal); then V = Z P and ZᵀZ P = P diag(σ²).
            var p = DenseMath.MatMul(DenseMath.Transpose(ql, m, b), b, m, us.AsSpan((int)f.Batch.RowOffset[l], m * b).ToArray(), b);
            var zp = DenseMath.MatMul(zl, n, b, p, b);
            Tolerance.AssertClose(vs.AsSpan((int)f.Batch.ColOffset[l], n * b).ToArray(), zp, 1e-12, 1e-12, $"V = Z P of matrix {l}", rng);
            var ztzp = DenseMath.MatMul(DenseMath.Transpose(zl, n, b), b, n, zp, b);
            double scale = Math.Max(row[0] * row[0], 1e-300);
            for (int i = 0; i < b; i++)
                for (int c = 0; c < b; c++)
                    Assert.That(ztzp[i * b + c], Is.EqualTo(row[c] * row[c] * p[i * b + c]).Within(1e-12 * scale), $"ZᵀZ P = P Σ² of matrix {l}; {rng}");
        }
        // The residual of these Ritz pairs from Y = W V, against the direct sum; then done matrices are left alone.
        backend.SubspaceProduct(f.Batch, false, f.V.Storage, y.Storage, f.State.Storage);
        var ys = y.ToArray<double>();
        backend.SubspaceResidual(f.Batch, y.Storage, u.Storage, f.State.Storage, 1, 1e-6);
        state = f.State.ToArray<double>();
        for (int l = 0; l < Shapes.Length; l++)
        {
            var (m, _, b) = Shapes[l];
            var row = state.AsSpan(l * SubspaceBatch.StateStride, SubspaceBatch.StateStride);
            double worst = 0;
            for (int i = 0; i < Math.Min(3, b); i++)
            {
                double s = 0;
                for (int r = 0; r < m; r++)
                {
                    double d = ys[(int)f.Batch.RowOffset[l] + r * b + i] - row[i] * us[(int)f.Batch.RowOffset[l] + r * b + i];
                    s += d * d;
                }
                worst = Math.Max(worst, Math.Sqrt(s));
            }
            double expected = row[0] > 0 ? worst / row[0] : worst;
            Assert.That(row[SubspaceBatch.ResidualSlot], Is.EqualTo(expected).Within(1e-12 * Math.Max(expected, 1e-300)), $"residual of matrix {l}");
            Assert.That(row[SubspaceBatch.IterationsSlot], Is.EqualTo(1));
            Assert.That(row[SubspaceBatch.DoneSlot], Is.EqualTo(expected <= 1e-6 ? 1 : 0), $"done of matrix {l}");
        }
        Assert.That(state[4 * SubspaceBatch.StateStride + SubspaceBatch.DoneSlot], Is.EqualTo(1), "the zero matrix is exact at once");
        var before = y.ToArray<double>();
        backend.SubspaceOrthonormalize(f.Batch, false, y.Storage, f.State.Storage, 5);
        var after = y.ToArray<double>();
        var zero = (int)f.Batch.RowOffset[4];
        Assert.That(after.AsSpan(zero, 6 * 6).ToArray(), Is.EqualTo(before.AsSpan(zero, 6 * 6).ToArray()), "a done matrix's block is not touched");
    }
}
