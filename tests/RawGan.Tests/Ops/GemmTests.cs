using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Tests.Ops;

/// <summary>
/// The blocked GEMM against a direct triple loop (in double precision) for every transpose combination,
/// alpha/beta, offsets, padded leading dimensions, batch strides and sizes that are not tile multiples.
/// </summary>
public class GemmTests
{
    private static readonly IBackend Cpu = CpuBackend.Instance;

    // Norm-wise relative error bounds: float64 kernels must agree to rounding, float32 to its precision.
    private static double Tolerance(DType dtype) => dtype == DType.Float64 ? 1e-12 : 1e-5;

    private static readonly int[][] Sizes =
    [
        [1, 1, 1], [1, 17, 33], [17, 1, 5], [6, 32, 256], [17, 33, 65], [65, 127, 33], [127, 65, 17], [33, 17, 300],
        [100, 130, 513],
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (var s in Sizes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        yield return new TestCaseData(dtype, s[0], s[1], s[2], ta, tb);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDirectLoops(DType dtype, int m, int n, int k, bool transA, bool transB)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        // Leading dimensions wider than the rows, nonzero offsets, and alpha/beta that are neither 0 nor 1.
        var spec = new GemmSpec(transA, transB, m, n, k, Alpha: 0.75, Beta: -1.25,
            AOffset: 3, Lda: (transA ? m : k) + 2, BOffset: 5, Ldb: (transB ? k : n) + 3, COffset: 7, Ldc: n + 1, Batch: 1);
        CheckAgainstReference(dtype, spec, rng, seed);
    }

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void BatchedWithStridesMatchesEachProduct(DType dtype)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        // Small matrices run one per thread, large ones split across threads: cover both.
        foreach (var (m, n, k, batch) in new[] { (7, 9, 5, 5), (16, 16, 64, 12), (130, 140, 150, 3) })
        {
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                    var spec = new GemmSpec(ta, tb, m, n, k, Alpha: -1.5, Beta: 0.5,
                        AOffset: 2, Lda: aCols + 1, BOffset: 1, Ldb: bCols, COffset: 4, Ldc: n + 2, Batch: batch)
                    {
                        StrideA = (long)aRows * (aCols + 1) + 3,
                        StrideB = (long)bRows * bCols + 1,
                        StrideC = (long)m * (n + 2) + 5,
                    };
                    CheckAgainstReference(dtype, spec, rng, seed);
                }
        }
    }

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void BlocksLargerThanOnePackedPanel(DType dtype)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        // Crosses the row block (1536), the column block (4096) and the depth block (256) of the driver.
        CheckAgainstReference(dtype, new GemmSpec(false, false, 1541, 13, 260, 1, 0, 0, 260, 0, 13, 0, 13, 1), rng, seed);
        CheckAgainstReference(dtype, new GemmSpec(true, true, 7, 4099, 300, 1, 1, 0, 7, 0, 300, 0, 4099, 1), rng, seed);
    }

    [TestCase(DType.Float64)]
    [TestCase(DType.Float32)]
    public void BetaZeroIgnoresNaNInC(DType dtype)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var spec = new GemmSpec(false, true, 19, 35, 40, 1, 0, 0, 40, 0, 40, 0, 35, 1);
        CheckAgainstReference(dtype, spec, rng, seed, cFill: double.NaN);
    }

    [TestCase(DType.Float64, 0.0)]
    [TestCase(DType.Float64, 2.0)]
    [TestCase(DType.Float32, 0.0)]
    [TestCase(DType.Float32, -3.0)]
    public void EmptyInnerDimensionScalesC(DType dtype, double beta)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var spec = new GemmSpec(false, false, 9, 11, 0, 1, beta, 0, 1, 0, 11, 2, 12, 1);
        // beta = 0 must clear C even where it held NaN.
        CheckAgainstReference(dtype, spec, rng, seed, cFill: beta == 0 ? double.NaN : null);
    }

    [Test]
    public void OperandReachingPastItsBufferIsRejected()
    {
        var a = Cpu.Allocate(DType.Float32, 10 * 10);
        var c = Cpu.Allocate(DType.Float32, 10 * 10);
        // lda of 11 makes the last row of A run one element past the buffer.
        Assert.That(() => Cpu.Gemm(false, false, 10, 10, 10, 1, a, 0, 11, 0, a, 0, 10, 0, 0, c, 0, 10, 0, 1, MathMode.Exact),
                    Throws.ArgumentException);
        Assert.That(() => Cpu.Gemm(false, false, 10, 10, 10, 1, a, 0, 10, 0, a, 0, 10, 0, 0, c, 0, 10, 100, 2, MathMode.Exact),
                    Throws.ArgumentException);
    }

    [Test]
    public void MatMulOpUsesTheKernelForAllTransposes()
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                int m = 37, n = 29, k = 41;
                double[] a = Random(rng, m * k), b = Random(rng, k * n);
                var at = Tensor.FromArray(a, ta ? new Shape(k, m) : new Shape(m, k));
                var bt = Tensor.FromArray(b, tb ? new Shape(n, k) : new Shape(k, n));
                double[] got = RawGan.Engine.Ops.MatMul(at, bt, ta, tb).ToArray<double>();
                double[] want = new double[m * n];
                Reference(new GemmSpec(ta, tb, m, n, k, 1, 0, 0, ta ? m : k, 0, tb ? k : n, 0, n, 1), a, b, want);
                AssertClose(got, want, 1e-12, $"MatMul transA={ta} transB={tb}, seed {seed}");
            }
    }

    /// <summary>One GEMM call: the arguments of <see cref="IBackend.Gemm"/>.</summary>
    private sealed record GemmSpec(bool TransA, bool TransB, int M, int N, int K, double Alpha, double Beta,
                                   long AOffset, int Lda, long BOffset, int Ldb, long COffset, int Ldc, int Batch)
    {
        public long StrideA { get; init; }
        public long StrideB { get; init; }
        public long StrideC { get; init; }

        public long ALength => AOffset + (Batch - 1) * StrideA + (long)Lda * (TransA ? K : M);
        public long BLength => BOffset + (Batch - 1) * StrideB + (long)Ldb * (TransB ? N : K);
        public long CLength => COffset + (Batch - 1) * StrideC + (long)Ldc * M;

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m={M} n={N} k={K} alpha={Alpha} beta={Beta} lda={Lda} ldb={Ldb} ldc={Ldc} batch={Batch}";
    }

    private static void CheckAgainstReference(DType dtype, GemmSpec s, Random rng, int seed, double? cFill = null)
    {
        double[] a = Random(rng, s.ALength), b = Random(rng, s.BLength), c = Random(rng, s.CLength);
        if (cFill is double fill) Array.Fill(c, fill);
        // Round the inputs to the dtype first, so the reference sees exactly what the kernel sees.
        if (dtype == DType.Float32) { RoundToFloat(a); RoundToFloat(b); RoundToFloat(c); }
        double[] want = (double[])c.Clone();
        Reference(s, a, b, want);

        var sa = Upload(dtype, a);
        var sb = Upload(dtype, b);
        var sc = Upload(dtype, c);
        Cpu.Gemm(s.TransA, s.TransB, s.M, s.N, s.K, s.Alpha, sa, s.AOffset, s.Lda, s.StrideA, sb, s.BOffset, s.Ldb, s.StrideB,
                 s.Beta, sc, s.COffset, s.Ldc, s.StrideC, s.Batch, MathMode.Exact);
        double[] got = Download(dtype, sc, c.Length);

        string what = $"{dtype} {s}, seed {seed}";
        // Elements outside every C matrix (offset gaps, padding columns) must be untouched.
        var inside = new bool[c.Length];
        for (int bi = 0; bi < s.Batch; bi++)
            for (int i = 0; i < s.M; i++)
                for (int j = 0; j < s.N; j++) inside[s.COffset + bi * s.StrideC + (long)i * s.Ldc + j] = true;
        for (int i = 0; i < c.Length; i++)
            if (!inside[i] && !(got[i].Equals(c[i]))) Assert.Fail($"Element {i} outside C changed from {c[i]} to {got[i]}: {what}");
        AssertClose(Pick(got, inside), Pick(want, inside), Tolerance(dtype), what);
    }

    // C = alpha·op(A)·op(B) + beta·C, loop by loop, in double; beta = 0 ignores C.
    private static void Reference(GemmSpec s, double[] a, double[] b, double[] c)
    {
        for (int bi = 0; bi < s.Batch; bi++)
        {
            long ao = s.AOffset + bi * s.StrideA, bo = s.BOffset + bi * s.StrideB, co = s.COffset + bi * s.StrideC;
            for (int i = 0; i < s.M; i++)
                for (int j = 0; j < s.N; j++)
                {
                    double sum = 0;
                    for (int p = 0; p < s.K; p++)
                    {
                        double av = s.TransA ? a[ao + (long)p * s.Lda + i] : a[ao + (long)i * s.Lda + p];
                        double bv = s.TransB ? b[bo + (long)j * s.Ldb + p] : b[bo + (long)p * s.Ldb + j];
                        sum += av * bv;
                    }
                    long at = co + (long)i * s.Ldc + j;
                    c[at] = s.Alpha * sum + (s.Beta == 0 ? 0 : s.Beta * c[at]);
                }
        }
    }

    internal static int NewSeed() => Environment.TickCount ^ Guid.NewGuid().GetHashCode();

    internal static double[] Random(Random rng, long length)
    {
        var d = new double[length];
        for (long i = 0; i < length; i++) d[i] = rng.NextDouble() * 2 - 1;
        return d;
    }

    internal static void RoundToFloat(double[] d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = (float)d[i];
    }

    internal static Storage Upload(DType dtype, double[] data)
    {
        var s = Cpu.Allocate(dtype, data.Length);
        if (dtype == DType.Float64) Cpu.CopyFromHost<double>(data, s, 0);
        else Cpu.CopyFromHost<float>(Array.ConvertAll(data, v => (float)v), s, 0);
        return s;
    }

    internal static double[] Download(DType dtype, Storage s, long length)
    {
        if (dtype == DType.Float64)
        {
            var d = new double[length];
            Cpu.CopyToHost<double>(s, 0, d);
            return d;
        }
        var f = new float[length];
        Cpu.CopyToHost<float>(s, 0, f);
        return Array.ConvertAll(f, v => (double)v);
    }

    /// <summary>Asserts ‖got − want‖ ≤ tol·‖want‖ (Euclidean norms; absolute when want is all zero), NaN failing.</summary>
    internal static void AssertClose(double[] got, double[] want, double tol, string what)
    {
        Assert.That(got, Has.Length.EqualTo(want.Length), what);
        double diff = 0, norm = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double d = got[i] - want[i];
            diff += d * d;
            norm += want[i] * want[i];
        }
        double err = Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 1e-300);
        if (norm == 0) err = Math.Sqrt(diff);
        Assert.That(err, Is.LessThanOrEqualTo(tol), $"relative error {err:E2} over {got.Length} elements: {what}");
    }

    private static double[] Pick(double[] d, bool[] mask)
    {
        var list = new List<double>();
        for (int i = 0; i < d.Length; i++) if (mask[i]) list.Add(d[i]);
        return [.. list];
    }
}
